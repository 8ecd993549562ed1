package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/report"
)

var t0 = time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)

func newSigner(t testing.TB) *report.Signer {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &report.Signer{ID: report.KeyID(pub), Private: priv, CreatedAt: t0}
}

// input returns a report of n evidence items over two controls and three days; every
// tenth item of control 1 is manual, with a file.
func input(n int) (report.Input, map[string][]byte) {
	a := probity.Assessment{ID: "a1", Name: "Quarterly SOC 2 review", Status: probity.AssessmentActive,
		Framework: probity.AssessmentFrameworkRef{Name: "SOC 2", ComplianceType: "SOC2"},
		Scope:     probity.Scope{Accounts: []probity.AWSAccount{{ID: "111122223333", Name: "prod"}}, Services: []string{"s3"}},
		ControlSets: []probity.AssessmentControlSet{{ID: "cs1", Name: "Access", Controls: []probity.AssessmentControl{
			{ID: "c1", Name: "MFA enabled", Status: probity.ControlReviewed,
				Comments: []probity.ControlComment{{AuthorName: "alice", Body: "Looks right.", PostedAt: t0}}},
			{ID: "c2", Name: "Keys rotated", Status: probity.ControlUnderReview},
		}}}}
	blobs := map[string][]byte{}
	checks := []string{probity.ComplianceCompliant, probity.ComplianceNonCompliant, ""}
	ev := func(i int) probity.Evidence {
		c := []string{"c1", "c2"}[i%2]
		e := probity.Evidence{ID: probity.EvidenceID("000000000000", "a1", int64(i+1)), AssessmentID: "a1", ControlSetID: "cs1", ControlID: c,
			ControlName: map[string]string{"c1": "MFA enabled", "c2": "Keys rotated"}[c], DataSource: "AWS Config",
			Time: t0.Add(time.Duration(i%3) * 24 * time.Hour), ComplianceCheck: checks[i%3], EvidenceByType: probity.EvidenceTypeComplianceCheck,
			Sequence: int64(i + 1), Hash: fmt.Sprintf("sha256:%064x", i+1)}
		if i%10 == 0 {
			body := []byte(fmt.Sprintf("uploaded file %d\n", i))
			sum := sha256.Sum256(body)
			d := hex.EncodeToString(sum[:])
			blobs[d] = body
			e.DataSource, e.EvidenceByType, e.Blobs = "Manual", probity.EvidenceTypeManual, []string{d}
			e.Attributes = map[string]string{"fileName": "policy.txt"}
		}
		return e
	}
	// The blobs map is filled as evidence is made: make it all once.
	for i := 0; i < n; i += 10 {
		ev(i)
	}
	in := report.Input{Assessment: a, Name: "Q2 report", Description: "For the auditors.", Author: "arn:aws:iam::111122223333:user/alice",
		At: t0.Add(72 * time.Hour), TempDir: os.TempDir(),
		Evidence: func(ctx context.Context, fn func(probity.Evidence) error) error {
			for i := range n {
				if err := fn(ev(i)); err != nil {
					return err
				}
			}
			return nil
		},
		Blob: func(ctx context.Context, d string) (io.ReadCloser, error) {
			b, ok := blobs[d]
			if !ok {
				return nil, probity.NotFound("blob", d)
			}
			return io.NopCloser(bytes.NewReader(b)), nil
		},
		Days: []probity.EvidenceDay{
			{ControlID: "c1", Date: t0, Compliant: 3, NonCompliant: 1},
			{ControlID: "c2", Date: t0, Compliant: 1, Inconclusive: 2},
			{ControlID: "c1", Date: t0.Add(24 * time.Hour), Compliant: 2, NonCompliant: 4},
		}}
	return in, blobs
}

func writeReport(t testing.TB, in report.Input, s *report.Signer) ([]byte, *report.Summary) {
	var buf bytes.Buffer
	sum, err := report.Write(context.Background(), &buf, in, s)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), sum
}

func verify(t testing.TB, b []byte, trust report.Trust) *report.Result {
	t.Helper()
	res, err := report.Verify(bytes.NewReader(b), int64(len(b)), trust)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestWriteLayoutAndVerify(t *testing.T) {
	in, _ := input(30)
	s := newSigner(t)
	b, sum := writeReport(t, in, s)
	if sum.Evidence != 30 || sum.Root != "Q2 report" || sum.KeyID != s.ID || sum.Size != int64(len(b)) {
		t.Fatalf("summary = %+v", sum)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != sum.Files || sum.Files != 30+3+3+2 { // 30 JSON, 3 manual files, PDF, HTML, README, digest, signature
		t.Fatalf("%d files in the zip, summary says %d", len(zr.File), sum.Files)
	}
	names := map[string]*zip.File{}
	for _, f := range zr.File {
		names[f.Name] = f
	}
	for _, want := range []string{"Q2 report/AssessmentReportSummary.pdf", "Q2 report/AssessmentReportSummary.html", "Q2 report/README.txt",
		"Q2 report/digest.txt", "Q2 report/digest.txt.sig",
		"Q2 report/evidence/MFA enabled/Manual/2024-05-01/" + probity.EvidenceID("000000000000", "a1", 1) + "/policy.txt",
		"Q2 report/evidence/Keys rotated/AWS Config/2024-05-02/" + probity.EvidenceID("000000000000", "a1", 2) + ".json",
	} {
		if names[want] == nil {
			t.Errorf("no %s in the zip", want)
		}
	}
	// An evidence file carries its ledger position and hash, and names its manual file.
	var ef struct {
		ID     string `json:"id"`
		Files  []struct{ Path, SHA256 string }
		Ledger struct {
			Sequence int64
			Hash     string
		}
	}
	rc, _ := names["Q2 report/evidence/MFA enabled/Manual/2024-05-01/"+probity.EvidenceID("000000000000", "a1", 1)+".json"].Open()
	if err := json.NewDecoder(rc).Decode(&ef); err != nil {
		t.Fatal(err)
	}
	if ef.Ledger.Sequence != 1 || ef.Ledger.Hash != fmt.Sprintf("sha256:%064x", 1) || len(ef.Files) != 1 || !strings.HasSuffix(ef.Files[0].Path, "/policy.txt") {
		t.Errorf("evidence file = %+v", ef)
	}
	res := verify(t, b, nil)
	if !res.Valid || res.Anchored || res.KeyID != s.ID || !res.SignedAt.Equal(in.At) || res.Files != sum.Files-2 || res.Algorithm != "Ed25519" {
		t.Fatalf("unanchored verify = %+v", res)
	}
	res = verify(t, b, report.TrustKeys(newSigner(t).Public(), s.Public()))
	if !res.Valid || !res.Anchored {
		t.Fatalf("anchored verify = %+v", res)
	}
	// The summary's digest is the SHA-256 of digest.txt, whose signature is in the zip.
	dg, _ := readZip(t, names["Q2 report/digest.txt"])
	sig, _ := readZip(t, names["Q2 report/digest.txt.sig"])
	d := sha256.Sum256(dg)
	if hex.EncodeToString(d[:]) != sum.Digest || !ed25519.Verify(s.Public(), d[:], sig) {
		t.Fatal("digest.txt.sig is not the signature of the SHA-256 of digest.txt")
	}
}

func readZip(t testing.TB, f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// rezip copies the zip, letting edit change, drop (nil) or add entries.
func rezip(t testing.TB, b []byte, edit func(name string, body []byte) []byte, add map[string][]byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		body, err := readZip(t, f)
		if err != nil {
			t.Fatal(err)
		}
		if body = edit(f.Name, body); body == nil {
			continue
		}
		w, _ := zw.Create(f.Name)
		w.Write(body)
	}
	for name, body := range add {
		w, _ := zw.Create(name)
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestTampering(t *testing.T) {
	in, _ := input(12)
	s := newSigner(t)
	b, _ := writeReport(t, in, s)
	trust := report.TrustKeys(s.Public())
	target := "Q2 report/evidence/Keys rotated/AWS Config/2024-05-02/" + probity.EvidenceID("000000000000", "a1", 2) + ".json"
	manual := "Q2 report/evidence/MFA enabled/Manual/2024-05-02/" + probity.EvidenceID("000000000000", "a1", 11) + "/policy.txt"
	flip := func(name string) func(string, []byte) []byte {
		return func(n string, body []byte) []byte {
			if n == name {
				body = bytes.Clone(body)
				body[len(body)/2] ^= 1
			}
			return body
		}
	}
	keep := func(_ string, body []byte) []byte { return body }
	drop := func(name string) func(string, []byte) []byte {
		return func(n string, body []byte) []byte {
			if n == name {
				return nil
			}
			return body
		}
	}
	other := newSigner(t)
	tests := []struct {
		name  string
		zip   []byte
		trust report.Trust
		want  []string // the start of each problem, in order
	}{
		{"untouched", b, trust, nil},
		{"flip a byte of an evidence file", rezip(t, b, flip(target), nil), trust, []string{target + ": changed"}},
		{"flip a byte of a manual file", rezip(t, b, flip(manual), nil), trust, []string{manual + ": changed"}},
		{"flip a byte of the PDF", rezip(t, b, flip("Q2 report/AssessmentReportSummary.pdf"), nil), trust, []string{"Q2 report/AssessmentReportSummary.pdf: changed"}},
		{"drop an evidence file", rezip(t, b, drop(target), nil), trust, []string{target + ": missing"}},
		{"drop the README", rezip(t, b, drop("Q2 report/README.txt"), nil), trust, []string{"Q2 report/README.txt: missing"}},
		{"add a file", rezip(t, b, keep, map[string][]byte{"Q2 report/evidence/extra.json": []byte("{}")}), trust, []string{"Q2 report/evidence/extra.json: added"}},
		{"add a file outside the root", rezip(t, b, keep, map[string][]byte{"other.txt": []byte("x")}), trust, []string{"other.txt: added"}},
		{"drop the signature", rezip(t, b, drop("Q2 report/digest.txt.sig"), nil), trust, []string{"Q2 report/digest.txt.sig: missing"}},
		{"flip a byte of the signature", rezip(t, b, flip("Q2 report/digest.txt.sig"), nil), trust, []string{"Q2 report/digest.txt.sig: the signature does not match"}},
		{"edit digest.txt", rezip(t, b, flip("Q2 report/digest.txt"), nil), trust,
			[]string{"Q2 report/digest.txt.sig: the signature does not match", "Q2 report/evidence/"}},
		{"drop digest.txt", rezip(t, b, drop("Q2 report/digest.txt"), nil), trust, []string{"digest.txt: missing"}},
		{"evidence changed, digest replaced and re-signed with another key", resign(t, b, target, other), trust,
			[]string{"Q2 report/digest.txt.sig: signed by key " + other.ID + ", which is not a trusted key"}},
		{"the same without a trusted key: self-consistent", resign(t, b, target, other), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := verify(t, tt.zip, tt.trust)
			if res.Valid != (len(tt.want) == 0) || len(res.Problems) != len(tt.want) {
				t.Fatalf("valid %v, problems:\n%s\nwant %q", res.Valid, strings.Join(res.Problems, "\n"), tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(res.Problems[i], w) {
					t.Errorf("problem %d = %q, want it to start %q", i, res.Problems[i], w)
				}
			}
		})
	}
	if _, err := report.Verify(strings.NewReader("not a zip"), 9, nil); err == nil {
		t.Error("Verify of a non-zip: no error")
	}
}

// resign changes one byte of the file, then rewrites digest.txt to match and signs it with
// the other key, as a forger without the signing key would.
func resign(t testing.TB, b []byte, name string, other *report.Signer) []byte {
	changed := map[string][]byte{}
	b = rezip(t, b, func(n string, body []byte) []byte {
		if n == name {
			body = append(bytes.Clone(body), ' ')
			changed[n] = body
		}
		return body
	}, nil)
	var digest []byte
	b = rezip(t, b, func(n string, body []byte) []byte {
		if n != "Q2 report/digest.txt" {
			return body
		}
		var out []string
		for _, line := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
			switch {
			case strings.HasPrefix(line, "# key-id: "):
				line = "# key-id: " + other.ID
			case strings.HasPrefix(line, "# public-key: "):
				line = "# public-key: " + base64.StdEncoding.EncodeToString(other.Public())
			case strings.HasSuffix(line, "  "+name):
				sum := sha256.Sum256(changed[name])
				line = hex.EncodeToString(sum[:]) + "  " + name
			}
			out = append(out, line)
		}
		digest = []byte(strings.Join(out, "\n") + "\n")
		return digest
	}, nil)
	return rezip(t, b, func(n string, body []byte) []byte {
		if n == "Q2 report/digest.txt.sig" {
			d := sha256.Sum256(digest)
			return ed25519.Sign(other.Private, d[:])
		}
		return body
	}, nil)
}

// TestPDF looks at the summary: pdftotext finds the assessment's name and the counts, and
// pdftoppm renders it (poppler-utils; scripts/test installs it).
func TestPDF(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil && os.Getenv("PROBITY_TEST_PDF") != "" {
			t.Fatalf("%s is not installed (Debian poppler-utils), and PROBITY_TEST_PDF is set", tool)
		} else if err != nil {
			t.Skipf("%s is not installed (Debian poppler-utils; scripts/test installs it)", tool)
		}
	}
	in, _ := input(30)
	in.ListLimit = 7
	b, sum := writeReport(t, in, newSigner(t))
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	dir := t.TempDir()
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".pdf") || strings.HasSuffix(f.Name, ".html") {
			body, _ := readZip(t, f)
			os.WriteFile(filepath.Join(dir, filepath.Base(f.Name)), body, 0o600)
		}
	}
	pdf := filepath.Join(dir, "AssessmentReportSummary.pdf")
	out, err := exec.Command("pdftotext", "-layout", pdf, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{
		"Quarterly SOC 2 review", "SOC 2", "111122223333", "Q2 report",
		"30 items: 10 compliant, 10 non-compliant, 10 inconclusive",
		"MFA enabled REVIEWED alice 5 5 5", "Keys rotated UNDER_REVIEW 5 5 5",
		"alice (2024-05-01): Looks right.",
		"30 evidence items; the first 7 are listed",
		"Compliance by day", sum.KeyID,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text has no %q:\n%s", want, text)
		}
	}
	if os.Getenv("PROBITY_KEEP_PDF") != "" { // to look at it
		os.WriteFile(os.Getenv("PROBITY_KEEP_PDF"), mustRead(t, pdf), 0o600)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "50", pdf, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(pages) == 0 {
		t.Fatal("pdftoppm rendered no page")
	}
	html, _ := os.ReadFile(filepath.Join(dir, "AssessmentReportSummary.html"))
	for _, want := range []string{"Quarterly SOC 2 review", "30 items: 10 compliant, 10 non-compliant, 10 inconclusive", "<svg", sum.KeyID} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("the HTML has no %q", want)
		}
	}
	if bytes.Contains(html, []byte("http://")) && !bytes.Contains(html, []byte(`xmlns="http://www.w3.org/2000/svg"`)) || bytes.Contains(html, []byte("src=")) {
		t.Error("the HTML refers to external assets")
	}
}

// TestZip64 writes more files than a zip without zip64 records holds (65,535).
func TestZip64(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 70,000 files")
	}
	in, _ := input(70000)
	b, sum := writeReport(t, in, newSigner(t))
	if sum.Files < 0xffff {
		t.Fatalf("%d files", sum.Files)
	}
	if res := verify(t, b, nil); !res.Valid || res.Files != sum.Files-2 {
		t.Fatalf("verify = valid %v, %d files, problems %q", res.Valid, res.Files, res.Problems[:min(3, len(res.Problems))])
	}
}

func TestWriteFailures(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in, _ := input(5)
	if _, err := report.Write(ctx, io.Discard, in, newSigner(t)); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
	in.Blob = func(ctx context.Context, d string) (io.ReadCloser, error) { return nil, probity.NotFound("blob", d) }
	if _, err := report.Write(context.Background(), io.Discard, in, newSigner(t)); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Errorf("missing blob: %v", err)
	}
	in.Blob = func(ctx context.Context, d string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("not the file")), nil
	}
	if _, err := report.Write(context.Background(), io.Discard, in, newSigner(t)); err == nil || !strings.Contains(err.Error(), "has SHA-256") {
		t.Errorf("wrong blob: %v", err)
	}
}

func BenchmarkWrite(b *testing.B) {
	in, _ := input(20000)
	s := newSigner(b)
	for b.Loop() {
		if _, err := report.Write(context.Background(), io.Discard, in, s); err != nil {
			b.Fatal(err)
		}
	}
}

func mustRead(t testing.TB, name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
