package report

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
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
func Verify(r io.ReaderAt, size int64, trust Trust) (*Result, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a readable zip: %w", err)
	}
	res := &Result{Algorithm: Algorithm}
	problem := func(format string, a ...any) { res.Problems = append(res.Problems, fmt.Sprintf(format, a...)) }
	var digestF, sigF *zip.File
	for _, f := range zr.File {
		dir, base, ok := strings.Cut(f.Name, "/")
		if ok && !strings.Contains(base, "/") && base == DigestFile {
			if digestF != nil {
				problem("%s: a second digest.txt", f.Name)
				continue
			}
			digestF, res.Root = f, dir
		}
	}
	if digestF == nil {
		problem("%s: missing: the zip has no ROOT/%s", DigestFile, DigestFile)
		return res, nil
	}
	for _, f := range zr.File {
		if f.Name == res.Root+"/"+SignatureFile {
			sigF = f
		}
	}
	digestBytes, err := readAll(digestF, 1<<30)
	if err != nil {
		problem("%s: unreadable: %v", digestF.Name, err)
		return res, nil
	}
	d, perr := parseDigest(digestBytes)
	if perr != nil {
		problem("%s: %v", digestF.Name, perr)
		return res, nil
	}
	res.KeyID, res.SignedAt, res.Files = d.keyID, d.signedAt, len(d.order)
	verifySignature(res, problem, d, digestBytes, sigF, trust)

	seen := make(map[string]bool, len(d.order))
	for _, f := range zr.File {
		if f == digestF || f == sigF || strings.HasSuffix(f.Name, "/") {
			continue
		}
		want, listed := d.sums[f.Name]
		switch {
		case seen[f.Name]:
			problem("%s: appears twice in the zip", f.Name)
			continue
		case !listed:
			problem("%s: added: not in %s", f.Name, DigestFile)
			continue
		}
		seen[f.Name] = true
		got, err := hashFile(f)
		if err != nil {
			problem("%s: unreadable: %v", f.Name, err)
		} else if got != want {
			problem("%s: changed: its SHA-256 is %s, %s says %s", f.Name, got, DigestFile, want)
		}
	}
	for _, name := range d.order {
		if !seen[name] {
			problem("%s: missing: listed in %s, not in the zip", name, DigestFile)
		}
	}
	res.Valid = len(res.Problems) == 0
	return res, nil
}

func verifySignature(res *Result, problem func(string, ...any), d *digest, digestBytes []byte, sigF *zip.File, trust Trust) {
	sigName := res.Root + "/" + SignatureFile
	if sigF == nil {
		problem("%s: missing: the report is not signed", sigName)
		return
	}
	sig, err := readAll(sigF, 1<<10)
	if err != nil {
		problem("%s: unreadable: %v", sigName, err)
		return
	}
	if KeyID(d.publicKey) != d.keyID {
		problem("%s: the key id %s is not its public key's (%s)", res.Root+"/"+DigestFile, d.keyID, KeyID(d.publicKey))
		return
	}
	sum := sha256.Sum256(digestBytes)
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(d.publicKey, sum[:], sig) {
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

// digest is digest.txt parsed.
type digest struct {
	keyID     string
	publicKey ed25519.PublicKey
	signedAt  time.Time
	sums      map[string]string
	order     []string
}

// parseDigest reads digest.txt: the header lines, then "HEX  PATH" lines. It returns an
// error naming the line that is wrong.
func parseDigest(b []byte) (*digest, error) {
	d := &digest{sums: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			if line != digestFormat {
				return nil, fmt.Errorf("line 1: not a probity report digest (want %q)", digestFormat)
			}
			continue
		}
		if h, ok := strings.CutPrefix(line, "# "); ok {
			k, v, _ := strings.Cut(h, ": ")
			switch k {
			case "key-id":
				d.keyID = v
			case "public-key":
				pk, err := base64.StdEncoding.DecodeString(v)
				if err != nil || len(pk) != ed25519.PublicKeySize {
					return nil, fmt.Errorf("line %d: public-key: not a base64 Ed25519 public key", n)
				}
				d.publicKey = pk
			case "signed-at":
				t, err := time.Parse(time.RFC3339Nano, v)
				if err != nil {
					return nil, fmt.Errorf("line %d: signed-at: %v", n, err)
				}
				d.signedAt = t
			}
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 || name == "" {
			return nil, fmt.Errorf("line %d: want HEX-SHA256, two spaces, PATH", n)
		}
		if _, dup := d.sums[name]; dup {
			return nil, fmt.Errorf("line %d: %s is listed twice", n, name)
		}
		d.sums[name] = sum
		d.order = append(d.order, name)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if d.keyID == "" || d.publicKey == nil {
		return nil, fmt.Errorf("no key-id or public-key line")
	}
	return d, nil
}

func readAll(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("larger than %d bytes", limit)
	}
	return b, err
}

func hashFile(f *zip.File) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
