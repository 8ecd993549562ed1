package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/probity-dev/probity/internal/report"
)

// TestVerifyDigestLines checks that a digest.txt that is not one is named with its line,
// the first wrong line first, and that a digest in upper case hex is the same digest.
func TestVerifyDigestLines(t *testing.T) {
	in, _ := input(4)
	b, _ := writeReport(t, in, newSigner(t))
	const digest = "Q2 report/digest.txt"
	edit := func(fn func(lines []string) []string) []byte {
		return rezip(t, b, func(name string, body []byte) []byte {
			if name != digest {
				return body
			}
			lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
			return []byte(strings.Join(fn(lines), "\n") + "\n")
		}, nil)
	}
	// The header has 6 lines; file lines follow.
	tests := []struct {
		name string
		edit func([]string) []string
		want []string
	}{
		{"a path listed twice", func(l []string) []string { return append(l, l[7]) },
			[]string{digest + ": line 15: " + l7(t, b) + " is listed twice"}},
		{"a path listed twice, then a wrong line", func(l []string) []string { return append(l, l[7], "nonsense") },
			[]string{digest + ": line 15: " + l7(t, b) + " is listed twice"}},
		{"a wrong line, then a path listed twice", func(l []string) []string { return append(l, "nonsense", l[7]) },
			[]string{digest + ": line 15: want HEX-SHA256, two spaces, PATH"}},
		{"not hex", func(l []string) []string { l[7] = "zz" + l[7][2:]; return l },
			[]string{digest + ": line 8: want HEX-SHA256, two spaces, PATH"}},
		{"not a digest", func(l []string) []string { l[0] = "hello"; return l },
			[]string{digest + ": line 1: not a probity report digest"}},
		{"no key", func(l []string) []string { return append(l[:2], l[4:]...) },
			[]string{digest + ": no key-id or public-key line"}},
		// The signature no longer matches, but every file does.
		{"upper case hex", func(l []string) []string { l[7] = strings.ToUpper(l[7][:64]) + l[7][64:]; return l },
			[]string{"Q2 report/digest.txt.sig: the signature does not match digest.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, verify(t, edit(tt.edit), nil), tt.want)
		})
	}
}

// l7 returns the path on digest.txt's line 8 (the first file line).
func l7(t *testing.T, b []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "Q2 report/digest.txt" {
			body, _ := readZip(t, f)
			_, name, _ := strings.Cut(strings.Split(string(body), "\n")[7], "  ")
			return name
		}
	}
	t.Fatal("no digest.txt")
	return ""
}

func checkProblems(t *testing.T, res *report.Result, want []string) {
	t.Helper()
	if res.Valid != (len(want) == 0) || len(res.Problems) != len(want) {
		t.Fatalf("valid %v, problems:\n%s\nwant %q", res.Valid, strings.Join(res.Problems, "\n"), want)
	}
	for i, w := range want {
		if !strings.HasPrefix(res.Problems[i], w) {
			t.Errorf("problem %d = %q, want it to start %q", i, res.Problems[i], w)
		}
	}
}

// TestVerifyRawDamage damages the zip's bytes rather than its files: a changed byte of a
// stored file fails its CRC-32, a damaged local header or directory is named or fails the
// whole zip, as archive/zip would.
func TestVerifyRawDamage(t *testing.T) {
	in, _ := input(4)
	b, _ := writeReport(t, in, newSigner(t))
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var target *zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".json") {
			target = f
			break
		}
	}
	data, _ := target.DataOffset()
	local := data - 30 - int64(len(target.Name))
	dir := int64(bytes.LastIndex(b, []byte("PK\x01\x02")))
	dirEntry := int64(bytes.LastIndex(b, []byte(target.Name))) - 46
	damage := func(at int64) []byte { c := bytes.Clone(b); c[at] ^= 0xff; return c }
	tests := []struct {
		name    string
		zip     []byte
		want    []string
		wantErr bool
	}{
		{"a byte of a stored file", damage(data + 3), []string{target.Name + ": unreadable: zip: checksum error"}, false},
		{"a local header's signature", damage(local), []string{target.Name + ": unreadable: zip: not a valid zip file"}, false},
		{"a directory header's method", damage(dirEntry + 10), []string{target.Name + ": unreadable: zip: unsupported compression algorithm"}, false},
		{"a data descriptor's CRC-32", damage(data + int64(target.CompressedSize64) + 4), []string{target.Name + ": unreadable: zip: checksum error"}, false},
		{"the last directory header's signature", damage(dir), nil, true},
		{"truncated", b[:len(b)-30], nil, true},
		{"empty", nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := report.Verify(bytes.NewReader(tt.zip), int64(len(tt.zip)), nil)
			if tt.wantErr {
				if err == nil || res != nil || !strings.HasPrefix(err.Error(), "not a readable zip") {
					t.Fatalf("Verify = %+v, %v; want a 'not a readable zip' error", res, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkProblems(t, res, tt.want)
		})
	}
}

// TestVerifyMemory verifies reports of 10,000 and 100,000 evidence items (about 11,000
// and 110,000 files) and checks that the live heap during Verify grows by a few dozen
// bytes per file, not by a header and a path per file as with archive/zip (some 660).
// The live heap is sampled (after a GC) as Verify reads the zip, every 1 MB read.
func TestVerifyMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 110,000 files")
	}
	s := newSigner(t)
	peak := func(n int) (files int, growth uint64) {
		in, _ := input(n)
		f, err := os.Create(filepath.Join(t.TempDir(), "report.zip"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sum, err := report.Write(context.Background(), f, in, s)
		if err != nil {
			t.Fatal(err)
		}
		in = report.Input{}
		base := liveHeap()
		hs := &heapSampler{r: f}
		res, err := report.Verify(hs, sum.Size, report.TrustKeys(s.Public()))
		if err != nil || !res.Valid || res.Files != sum.Files-2 {
			t.Fatalf("verify = %+v, %v", res, err)
		}
		if hs.samples < 3 {
			t.Fatalf("%d samples", hs.samples)
		}
		return sum.Files, max(hs.peak, base) - base
	}
	files1, heap1 := peak(10000)
	files2, heap2 := peak(100000)
	perFile := float64(heap2-heap1) / float64(files2-files1)
	t.Logf("live heap during Verify: %d files %.1f MB, %d files %.1f MB: %.0f bytes per file",
		files1, float64(heap1)/1e6, files2, float64(heap2)/1e6, perFile)
	if perFile > 128 {
		t.Errorf("Verify keeps %.0f bytes per file (%d files: %d bytes, %d files: %d bytes), want at most 128", perFile, files1, heap1, files2, heap2)
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// heapSampler is an io.ReaderAt that records the live heap every 1 MB read.
type heapSampler struct {
	r       io.ReaderAt
	read    int64
	next    int64
	peak    uint64
	samples int
}

func (h *heapSampler) ReadAt(p []byte, off int64) (int, error) {
	n, err := h.r.ReadAt(p, off)
	if h.read += int64(n); h.read >= h.next {
		h.next = h.read + 1<<20
		h.peak = max(h.peak, liveHeap())
		h.samples++
	}
	return n, err
}

// FuzzVerifyReport feeds damaged and arbitrary zips to Verify: it never panics, returns
// either an error or a result, a result is valid exactly when it names no problem, and a
// report valid under the fuzz key reads the same with archive/zip: every file it lists,
// and no other, with the SHA-256 it gives.
func FuzzVerifyReport(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	s := &report.Signer{ID: report.KeyID(priv.Public().(ed25519.PublicKey)), Private: priv, CreatedAt: t0}
	trust := report.TrustKeys(s.Public())
	in, _ := input(2)
	b, _ := writeReport(f, in, s)
	f.Add(b)
	f.Add(rezip(f, b, func(_ string, body []byte) []byte { return body }, map[string][]byte{"x": []byte("y")}))
	f.Add(b[:len(b)/2])
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := report.Verify(bytes.NewReader(b), int64(len(b)), trust)
		if err != nil {
			if res != nil {
				t.Fatalf("a result and an error: %+v, %v", res, err)
			}
			return
		}
		if res == nil || res.Valid != (len(res.Problems) == 0) {
			t.Fatalf("result %+v", res)
		}
		if !res.Valid {
			return
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("valid, but archive/zip cannot read it: %v", err)
		}
		sums := map[string]string{}
		var digest []byte
		for _, zf := range zr.File {
			body, err := readZip(t, zf)
			if err != nil {
				t.Fatalf("valid, but archive/zip cannot read %s: %v", zf.Name, err)
			}
			switch zf.Name {
			case res.Root + "/digest.txt":
				digest = body
			case res.Root + "/digest.txt.sig":
			default:
				sum := sha256.Sum256(body)
				sums[zf.Name] = hex.EncodeToString(sum[:])
			}
		}
		listed := 0
		for _, line := range strings.Split(string(digest), "\n") {
			if sum, name, ok := strings.Cut(line, "  "); ok && !strings.HasPrefix(line, "#") {
				listed++
				if sums[name] != sum {
					t.Fatalf("valid, but archive/zip reads %s with SHA-256 %q; digest.txt says %s", name, sums[name], sum)
				}
			}
		}
		if listed != len(sums) {
			t.Fatalf("valid, but archive/zip reads %d files; digest.txt lists %d", len(sums), listed)
		}
	})
}
