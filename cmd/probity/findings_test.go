package main

import (
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/sharedtest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/sqlite"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// TestFindingsImport: the CLI imports a findings file once (a second run appends
// nothing) and refuses a bad one with exit 1, naming the record and field.
func TestFindingsImport(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "probity.db")
	env := map[string]string{"PROBITY_MASTER_KEY": hex.EncodeToString(make([]byte, 32))}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c := storetest.NewControl("CloudTrail.2 CloudTrail should have encryption at-rest enabled")
	trails := storetest.NewControl("Trail hygiene")
	fw := storetest.NewFramework("fsbp", []*probity.Control{c, trails})
	if err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		if err := tx.PutControls(ctx, []*probity.Control{c, trails}); err != nil {
			return err
		}
		return tx.PutFrameworks(ctx, []*probity.Framework{fw})
	}); err != nil {
		t.Fatal(err)
	}
	p := auth.Principal{Name: "owner", AccountID: storetest.Account, Level: auth.Admin, ARN: "arn:aws:iam::111122223333:role/Owner"}
	if _, err := (&assess.Service{Store: st}).Create(ctx, p, assess.Input{Name: "a", FrameworkID: fw.ID,
		ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
		Scope:              probity.Scope{Accounts: []probity.AWSAccount{{ID: "123456789012"}}},
		Roles:              []probity.Role{{Type: probity.RoleProcessOwner, ARN: p.ARN}}}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	file := filepath.Join(sharedtest.Dir(t, "findings"), "securityhub_sample_control_findings_asff.json")
	db := "sqlite:" + path
	code, out, errOut := cli(t, env, "findings", "import", "--db", db, file)
	if code != 0 || !strings.Contains(out, `"evidence": 5,`) {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = cli(t, env, "findings", "import", "--db", db, file)
	if code != 0 || !strings.Contains(out, `"evidence": 0,`) || !strings.Contains(out, `"duplicate": 5,`) {
		t.Fatalf("re-import: exit %d\n%s%s", code, out, errOut)
	}
	// A mapping applied from a catalog places the same findings in a control that no
	// requirement id names: only the four about a trail, once each.
	mappings := filepath.Join(dir, "catalog", "mappings")
	if err := os.MkdirAll(mappings, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mappings, "trails.yaml"), []byte(
		"name: trails\nrules:\n  - {provider: securityhub, checkId: 'CloudTrail.*', resourceType: AwsCloudTrailTrail, controls: [Trail hygiene]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := cli(t, env, "apply", "--db", db, "--account-id", storetest.Account, filepath.Dir(mappings)); code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = cli(t, env, "findings", "import", "--db", db, file)
	if code != 0 || !strings.Contains(out, `"evidence": 4,`) || !strings.Contains(out, `"duplicate": 5,`) {
		t.Fatalf("import with a mapping: exit %d\n%s%s", code, out, errOut)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"SchemaVersion":"2018-10-08","AwsAccountId":"1234","GeneratorId":"g","UpdatedAt":"2024-01-02T03:04:05Z","Compliance":{"Status":"PASSED"}}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = cli(t, env, "findings", "import", "--db", db, bad)
	if code != ExitInvalid || !strings.Contains(errOut, "record 1 AwsAccountId: must be a 12-digit") {
		t.Fatalf("bad file: exit %d, %s", code, errOut)
	}
}
