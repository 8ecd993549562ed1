package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

// TestAssessmentSync: `probity assessment sync ID` takes a framework change into the
// assessment and records it in the change log as the account's root; an unknown id, or
// another account's, exits 1.
func TestAssessmentSync(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "probity.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	const account = "111122223333"
	p := auth.Principal{Name: "owner", AccountID: account, Level: auth.Editor, ARN: "arn:aws:iam::111122223333:role/Owner"}
	lib := &library.Service{Store: st}
	ctl, err := lib.CreateControl(ctx, p, library.ControlInput{Name: "before", ControlMappingSources: []probity.ControlMappingSource{probity.ManualAttestation()}})
	if err != nil {
		t.Fatal(err)
	}
	fw, err := lib.CreateFramework(ctx, p, library.FrameworkInput{Name: "fw", ControlSets: []probity.ControlSet{{Name: "set", Controls: []string{ctl.ID}}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := (&assess.Service{Store: st}).Create(ctx, p, assess.Input{Name: "audit", FrameworkID: fw.Framework.ID,
		ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
		Scope:              probity.Scope{Accounts: []probity.AWSAccount{{ID: account}}},
		Roles:              []probity.Role{{Type: probity.RoleProcessOwner, ARN: p.ARN}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.UpdateControl(ctx, p, ctl.ID, library.ControlInput{Name: "after", ControlMappingSources: ctl.ControlMappingSources}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	cli := func(args ...string) (int, string, string) {
		var out, errb strings.Builder
		code := Run(ctx, append(args, "--db", "sqlite:"+path), testEnv(map[string]string{}, &out, &errb))
		return code, out.String(), errb.String()
	}
	if code, out, errs := cli("assessment", "sync", a.ID, "--account-id", account); code != ExitOK || !strings.Contains(out, "Synced assessment "+a.ID) {
		t.Fatalf("sync = %d %q %q", code, out, errs)
	}
	if code, _, _ := cli("assessment", "sync", a.ID, "--account-id", "444455556666"); code != ExitInvalid {
		t.Errorf("sync of another account's assessment exits %d, want %d", code, ExitInvalid)
	}
	if code, _, _ := cli("assessment", "sync", probity.NewID(), "--account-id", account); code != ExitInvalid {
		t.Errorf("sync of an unknown assessment exits %d, want %d", code, ExitInvalid)
	}

	st, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Assessment(ctx, account, a.ID)
	if err != nil || got.ControlSets[0].Controls[0].Name != "after" {
		t.Fatalf("after sync: %+v, %v", got, err)
	}
	logs, err := st.ChangeLogs(ctx, store.ChangeLogQuery{Account: account, AssessmentID: a.ID, Limit: 10})
	if err != nil || len(logs) != 2 || logs[1].CreatedBy != "arn:aws:iam::111122223333:root" || !strings.Contains(logs[1].ObjectName, "framework sync") {
		t.Fatalf("change logs = %+v, %v", logs, err)
	}
}
