package main

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/report"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

// TestReportVerifyCommand: signing keys made and rotated with the CLI sign a report that
// `probity report verify` then checks with no database: 0 valid, 1 invalid, 2 unreadable.
func TestReportVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "probity.db")
	db := "sqlite:" + dbPath
	vars := map[string]string{}
	cli := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb strings.Builder
		code := Run(t.Context(), args, testEnv(vars, &out, &errb))
		return code, out.String(), errb.String()
	}
	if code, out, errs := cli("keys", "signing", "export-public", "--db", db); code != ExitInvalid || out != "" || !strings.Contains(errs, "no signing key yet") {
		t.Fatalf("export with no key = %d %q %q", code, out, errs)
	}
	code, out, errs := cli("keys", "signing", "create", "--db", db)
	if code != ExitOK || !strings.Contains(out, "signing key ed25519:") {
		t.Fatalf("create = %d %q %q", code, out, errs)
	}
	if code, _, errs := cli("keys", "signing", "create", "--db", db); code != ExitInvalid || !strings.Contains(errs, "use rotate") {
		t.Fatalf("second create = %d %q", code, errs)
	}
	oldPEM := filepath.Join(dir, "old.pem")
	if code, _, errs := cli("keys", "signing", "export-public", "--db", db, "--out", oldPEM); code != ExitOK {
		t.Fatalf("export = %d %q", code, errs)
	}

	// Sign a report with the current key, as the server would.
	st, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	mk, err := secret.LoadMasterKey("", dbPath+".key")
	if err != nil {
		t.Fatal(err)
	}
	bx, _ := secret.NewBox(mk)
	signer, err := (&report.Keys{Store: st, Box: bx}).Current(t.Context())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	in := report.Input{Name: "Q2", At: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		Assessment: probity.Assessment{ID: "a1", Name: "SOC 2 review"},
		Evidence: func(ctx context.Context, fn func(probity.Evidence) error) error {
			return fn(probity.Evidence{ID: "e1", ControlID: "c1", DataSource: "AWS Config", Time: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), Sequence: 1, Hash: "sha256:00"})
		}}
	if _, err := report.Write(t.Context(), &buf, in, signer); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "report.zip")
	os.WriteFile(good, buf.Bytes(), 0o600)

	code, out, errs = cli("keys", "signing", "rotate", "--db", db)
	if code != ExitOK {
		t.Fatalf("rotate = %d %q", code, errs)
	}
	newPEM := filepath.Join(dir, "new.pem")
	cli("keys", "signing", "export-public", "--db", db, "--out", newPEM)
	if code, out, _ := cli("keys", "signing", "list", "--db", db); code != ExitOK || !strings.Contains(out, signer.ID) || !strings.Contains(out, "verifies only") {
		t.Fatalf("list = %d %q", code, out)
	}

	// A tampered copy: one byte of the evidence file flipped.
	tampered := filepath.Join(dir, "tampered.zip")
	os.WriteFile(tampered, flipIn(t, buf.Bytes(), "Q2/evidence/c1/AWS Config/2024-05-01/e1.json"), 0o600)
	notZip := filepath.Join(dir, "not.zip")
	os.WriteFile(notZip, []byte("hello"), 0o600)
	os.Remove(dbPath) // verify needs no database
	tests := []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"valid, anchored", []string{good, "--public-key", oldPEM}, ExitOK, "the signing key is the key of", ""},
		{"valid, unanchored", []string{good}, ExitOK, "self-consistent but NOT anchored", ""},
		{"signed by another key than the given one", []string{good, "--public-key", newPEM}, ExitInvalid, "Q2/digest.txt.sig: signed by key " + signer.ID, "INVALID: 1 problem(s)"},
		{"a file changed", []string{tampered, "--public-key", oldPEM}, ExitInvalid, "Q2/evidence/c1/AWS Config/2024-05-01/e1.json: changed", "INVALID"},
		{"not a zip", []string{notZip}, ExitUsage, "", "unreadable"},
		{"no such file", []string{filepath.Join(dir, "missing.zip")}, ExitUsage, "", "unreadable"},
		{"a bad key file", []string{good, "--public-key", notZip}, ExitUsage, "", "not a PEM PUBLIC KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := cli(append([]string{"report", "verify"}, tt.args...)...)
			if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errs, tt.err) {
				t.Fatalf("= %d\nstdout %q\nstderr %q\nwant %d, %q, %q", code, out, errs, tt.code, tt.out, tt.err)
			}
		})
	}
}

// flipIn returns the zip with one byte of the named file flipped.
func flipIn(t *testing.T, b []byte, name string) []byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	found := false
	for _, f := range zr.File {
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			body[0] ^= 1
			found = true
		}
		w, _ := zw.Create(f.Name)
		w.Write(body)
	}
	zw.Close()
	if !found {
		t.Fatalf("no %s in the zip", name)
	}
	return out.Bytes()
}
