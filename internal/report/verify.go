package report

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// The names of the signed files, under the report's root folder.
const (
	DigestFile    = "digest.txt"
	SignatureFile = "digest.txt.sig"
	// digestFormat is digest.txt's first line.
	digestFormat = "# probity assessment report digest v1"
)

// Trust says which public key a key id stands for, when it is trusted; false for a key
// that is not.
type Trust func(keyID string) (ed25519.PublicKey, bool)

// TrustKeys returns a Trust of the keys, each under its KeyID.
func TrustKeys(keys ...ed25519.PublicKey) Trust {
	m := make(map[string]ed25519.PublicKey, len(keys))
	for _, k := range keys {
		m[KeyID(k)] = k
	}
	return func(id string) (ed25519.PublicKey, bool) { k, ok := m[id]; return k, ok }
}

// Result is what Verify found.
type Result struct {
	// Valid is true when every file matches digest.txt, none is missing or added, and the
	// signature is good (and by a trusted key, when Verify was given a Trust).
	Valid bool
	// Anchored is true when the signing key was checked against a trusted key; false when
	// the signature is only consistent with the public key the report itself carries.
	Anchored bool
	// Root is the report's root folder.
	Root string
	// KeyID, Algorithm and SignedAt are what digest.txt says of its signature.
	KeyID     string
	Algorithm string
	SignedAt  time.Time
	// Files counts the files digest.txt lists.
	Files int
	// Problems name each file that fails, as "PATH: what is wrong", in the zip's order,
	// then the missing files in digest.txt's order.
	Problems []string
}

// Verify checks the report zip in r: that digest.txt.sig is the Ed25519 signature of
// the SHA-256 of digest.txt, that every file
// has the digest digest.txt gives, and that no file was added or removed. With a nil
// trust the signature is checked against the public key digest.txt carries (consistent,
// not anchored); otherwise the key must be one trust knows. Problems go in the Result;
// Verify returns an error only when r is not a readable zip.
//
// Verify streams: it walks the zip's central directory without keeping it, reads each
// file once, and keeps about 65 bytes per file digest.txt lists (the SHA-256 of its path
// and its digest), so memory stays flat whatever the size of the report.
func Verify(r io.ReaderAt, size int64, trust Trust) (*Result, error) {
	z, err := newZipReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a readable zip: %w", err)
	}
	res := &Result{Algorithm: Algorithm}
	problem := func(format string, a ...any) { res.Problems = append(res.Problems, fmt.Sprintf(format, a...)) }

	// First walk: find digest.txt (the first ROOT/digest.txt) and its signature (the last
	// ROOT/digest.txt.sig); this also checks that the whole directory reads.
	var digestF, sigF *zipFile
	files, sigEarly := 0, false
	err = z.walk(func(f *zipFile) error {
		files++
		dir, base, ok := strings.Cut(f.name, "/")
		switch {
		case ok && base == DigestFile && digestF != nil:
			problem("%s: a second digest.txt", f.name)
		case ok && base == DigestFile:
			digestF, res.Root = f.clone(), dir
		case digestF != nil && f.name == res.Root+"/"+SignatureFile:
			sigF = f.clone()
		case digestF == nil && strings.HasSuffix(f.name, "/"+SignatureFile):
			sigEarly = true // ROOT is not known yet: look again below if need be
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("not a readable zip: %w", err)
	}
	if digestF == nil {
		problem("%s: missing: the zip has no ROOT/%s", DigestFile, DigestFile)
		return res, nil
	}
	if sigF == nil && sigEarly {
		err = z.walk(func(f *zipFile) error {
			if f.name == res.Root+"/"+SignatureFile {
				sigF = f.clone()
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("not a readable zip: %w", err)
		}
	}

	d, uerr, perr := readDigest(z, digestF, files)
	switch {
	case uerr != nil:
		problem("%s: unreadable: %v", digestF.name, uerr)
		return res, nil
	case perr != nil:
		problem("%s: %v", digestF.name, perr)
		return res, nil
	}
	res.KeyID, res.SignedAt, res.Files = d.keyID, d.signedAt, len(d.files)
	verifySignature(res, problem, z, d, sigF, trust)

	// Second walk: every other file, hashed as it is read.
	h := sha256.New()
	buf := make([]byte, 32<<10)
	seen := 0
	err = z.walk(func(f *zipFile) error {
		if f.index == digestF.index || sigF != nil && f.index == sigF.index || strings.HasSuffix(f.name, "/") {
			return nil
		}
		e := d.find(f.name)
		switch {
		case e != nil && e.seen:
			problem("%s: appears twice in the zip", f.name)
			return nil
		case e == nil:
			problem("%s: added: not in %s", f.name, DigestFile)
			return nil
		}
		e.seen = true
		seen++
		var got [sha256.Size]byte
		rc, err := z.open(f)
		if err == nil {
			h.Reset()
			_, err = io.CopyBuffer(h, rc, buf)
			h.Sum(got[:0])
		}
		if err != nil {
			problem("%s: unreadable: %v", f.name, err)
		} else if got != e.sum {
			problem("%s: changed: its SHA-256 is %x, %s says %x", f.name, got, DigestFile, e.sum)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("not a readable zip: %w", err)
	}
	if seen < len(d.files) {
		// Name the missing files in digest.txt's order: read it again.
		uerr, perr := scanDigest(z, digestF, nil, nil, func(_ int, _ *[sha256.Size]byte, name string) error {
			if e := d.find(name); e != nil && !e.seen {
				problem("%s: missing: listed in %s, not in the zip", name, DigestFile)
				e.seen = true
			}
			return nil
		})
		if err := errors.Join(uerr, perr); err != nil { // read once already: not reached
			return nil, fmt.Errorf("not a readable zip: %s: %w", digestF.name, err)
		}
	}
	res.Valid = len(res.Problems) == 0
	return res, nil
}

func verifySignature(res *Result, problem func(string, ...any), z *zipReader, d *digest, sigF *zipFile, trust Trust) {
	sigName := res.Root + "/" + SignatureFile
	if sigF == nil {
		problem("%s: missing: the report is not signed", sigName)
		return
	}
	sig, err := readAll(z, sigF, 1<<10)
	if err != nil {
		problem("%s: unreadable: %v", sigName, err)
		return
	}
	if KeyID(d.publicKey) != d.keyID {
		problem("%s: the key id %s is not its public key's (%s)", res.Root+"/"+DigestFile, d.keyID, KeyID(d.publicKey))
		return
	}
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(d.publicKey, d.sum[:], sig) {
		problem("%s: the signature does not match %s", sigName, DigestFile)
		return
	}
	if trust == nil {
		return
	}
	pub, ok := trust(d.keyID)
	if !ok || !pub.Equal(d.publicKey) {
		problem("%s: signed by key %s, which is not a trusted key", sigName, d.keyID)
		return
	}
	res.Anchored = true
}

// digest is digest.txt parsed, its files kept compactly for a million of them.
type digest struct {
	keyID     string
	publicKey ed25519.PublicKey
	signedAt  time.Time
	sum       [sha256.Size]byte // of digest.txt's bytes: what the signature covers
	files     []digestFile      // sorted by path hash
}

// digestFile is one file digest.txt lists: the SHA-256 of its path (a path is long, and
// a million of them do not fit a flat memory budget) and the SHA-256 it gives.
type digestFile struct {
	path [sha256.Size]byte
	sum  [sha256.Size]byte
	seen bool // found in the zip
}

// find returns the listed file of the path, or nil.
func (d *digest) find(name string) *digestFile {
	key := sha256.Sum256([]byte(name))
	i, ok := slices.BinarySearchFunc(d.files, key, func(f digestFile, k [sha256.Size]byte) int { return bytes.Compare(f.path[:], k[:]) })
	if !ok {
		return nil
	}
	return &d.files[i]
}

// readDigest reads digest.txt from f, a file of z with n files in all (a hint of how many
// lines it has). It returns uerr when f is unreadable, perr naming the first line that is
// wrong when it is not a digest.
func readDigest(z *zipReader, f *zipFile, n int) (d *digest, uerr, perr error) {
	d = &digest{files: make([]digestFile, 0, n)}
	h := sha256.New()
	uerr, perr = scanDigest(z, f, h, d, func(_ int, sum *[sha256.Size]byte, name string) error {
		d.files = append(d.files, digestFile{path: sha256.Sum256([]byte(name)), sum: *sum})
		return nil
	})
	if uerr != nil {
		return nil, uerr, nil
	}
	slices.SortFunc(d.files, func(a, b digestFile) int { return bytes.Compare(a.path[:], b.path[:]) })
	for i := 1; i < len(d.files); i++ {
		if d.files[i].path != d.files[i-1].path {
			continue
		}
		// A path listed twice, before any line that is wrong: read again to name the
		// first line that lists a path again (an earlier wrong line is named instead).
		listed := make(map[[sha256.Size]byte]bool)
		uerr, perr = scanDigest(z, f, nil, nil, func(n int, _ *[sha256.Size]byte, name string) error {
			k := sha256.Sum256([]byte(name))
			if listed[k] {
				return fmt.Errorf("line %d: %s is listed twice", n, name)
			}
			listed[k] = true
			return nil
		})
		return nil, uerr, perr
	}
	if perr != nil {
		return nil, nil, perr
	}
	if d.keyID == "" || d.publicKey == nil {
		return nil, nil, fmt.Errorf("no key-id or public-key line")
	}
	h.Sum(d.sum[:0])
	return d, nil, nil
}

// scanDigest reads digest.txt from f, a file of z: the header lines into d (when not
// nil), every byte to w (when not nil), and each file line, "HEX  PATH", to fn with its
// line number. It returns uerr when f is unreadable or larger than digestLimit, else perr
// naming the first line that is wrong, or fn's error, which stops it.
func scanDigest(z *zipReader, f *zipFile, w io.Writer, d *digest, fn func(n int, sum *[sha256.Size]byte, name string) error) (uerr, perr error) {
	zr, err := z.open(f)
	if err != nil {
		return err, nil
	}
	rd := &digestReader{r: zr}
	var r io.Reader = rd
	if w != nil {
		r = io.TeeReader(rd, w)
	}
	perr = scanDigestLines(r, d, fn)
	if perr != nil && rd.err == nil {
		// A file that does not read is unreadable, whatever its lines say.
		_, _ = io.Copy(io.Discard, rd)
	}
	if rd.err != nil {
		return rd.err, nil
	}
	return nil, perr
}

func scanDigestLines(r io.Reader, d *digest, fn func(n int, sum *[sha256.Size]byte, name string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var sum [sha256.Size]byte
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			if line != digestFormat {
				return fmt.Errorf("line 1: not a probity report digest (want %q)", digestFormat)
			}
			continue
		}
		if h, ok := strings.CutPrefix(line, "# "); ok {
			if d == nil {
				continue
			}
			k, v, _ := strings.Cut(h, ": ")
			switch k {
			case "key-id":
				d.keyID = v
			case "public-key":
				pk, err := base64.StdEncoding.DecodeString(v)
				if err != nil || len(pk) != ed25519.PublicKeySize {
					return fmt.Errorf("line %d: public-key: not a base64 Ed25519 public key", n)
				}
				d.publicKey = pk
			case "signed-at":
				t, err := time.Parse(time.RFC3339Nano, v)
				if err != nil {
					return fmt.Errorf("line %d: signed-at: %v", n, err)
				}
				d.signedAt = t
			}
			continue
		}
		hexSum, name, ok := strings.Cut(line, "  ")
		if !ok || len(hexSum) != 2*sha256.Size || name == "" {
			return fmt.Errorf("line %d: want HEX-SHA256, two spaces, PATH", n)
		}
		if _, err := hex.Decode(sum[:], []byte(hexSum)); err != nil {
			return fmt.Errorf("line %d: want HEX-SHA256, two spaces, PATH", n)
		}
		if err := fn(n, &sum, name); err != nil {
			return err
		}
	}
	return sc.Err()
}

// digestLimit bounds digest.txt's size (some 7 million files).
const digestLimit = 1 << 30

// digestReader reads digest.txt, failing past digestLimit; err is its first error but EOF.
type digestReader struct {
	r   io.Reader
	n   int64
	err error
}

func (d *digestReader) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	n, err := d.r.Read(p)
	if d.n += int64(n); d.n > digestLimit {
		n, err = 0, fmt.Errorf("larger than %d bytes", digestLimit)
	}
	if err != nil && err != io.EOF {
		d.err = err
	}
	return n, err
}

// readAll returns f's bytes, or an error when it has more than limit.
func readAll(z *zipReader, f *zipFile, limit int64) ([]byte, error) {
	rc, err := z.open(f)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("larger than %d bytes", limit)
	}
	return b, err
}
