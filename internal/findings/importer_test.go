package findings_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/findings"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
	"github.com/probity-dev/probity/internal/store/storetest"
)

func stores() map[string]func(t testing.TB) store.Store {
	return map[string]func(t testing.TB) store.Store{
		"sqlite": func(t testing.TB) store.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "probity.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"postgres": func(t testing.TB) store.Store {
			s, err := postgres.Open(context.Background(), pgtest.DSN(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
}

// world is a store with a ledger and assessments of a framework whose controls are named
// as the given names.
type world struct {
	st     store.Store
	ledger *evidence.Ledger
	svc    *assess.Service
	p      auth.Principal
	fw     *probity.Framework
	ctls   []*probity.Control
}

func newWorld(t testing.TB, st store.Store, names ...string) *world {
	t.Helper()
	ctx := context.Background()
	var cs []*probity.Control
	for _, n := range names {
		cs = append(cs, storetest.NewControl(n))
	}
	fw := storetest.NewFramework("fw", cs)
	if err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		if err := tx.PutControls(ctx, cs); err != nil {
			return err
		}
		return tx.PutFrameworks(ctx, []*probity.Framework{fw})
	}); err != nil {
		t.Fatal(err)
	}
	box, err := secret.NewBox(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	return &world{st: st, ledger: evidence.New(st, box), svc: &assess.Service{Store: st}, fw: fw, ctls: cs,
		p: auth.Principal{Name: "owner", AccountID: storetest.Account, Level: auth.Admin, ARN: "arn:aws:iam::111122223333:role/Owner"}}
}

// assessment creates an assessment of the framework over the scope's accounts.
func (w *world) assessment(t testing.TB, accounts ...string) *probity.Assessment {
	t.Helper()
	in := assess.Input{Name: "a", FrameworkID: w.fw.ID, ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
		Roles: []probity.Role{{Type: probity.RoleProcessOwner, ARN: w.p.ARN}}}
	for _, a := range accounts {
		in.Scope.Accounts = append(in.Scope.Accounts, probity.AWSAccount{ID: a})
	}
	a, err := w.svc.Create(context.Background(), w.p, in)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (w *world) records(t testing.TB, a *probity.Assessment) int64 {
	t.Helper()
	h, err := w.st.EvidenceChain(context.Background(), a.AccountID, a.ID)
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return h.Seq
}

// TestImport maps the samples' findings through their requirement ids and through a
// rule into the assessments whose scope holds their account, once.
func TestImport(t *testing.T) {
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, open(t),
				"1.20 Ensure that IAM Access analyzer is enabled", // CIS, from OCSF unmapped.compliance
				"1.200 Not the same requirement",
				"Root account hygiene", // by the rule
				"Unrelated")
			inScope := w.assessment(t, "111122223333")
			other := w.assessment(t, "444455556666")
			stopped := w.assessment(t, "111122223333")
			if _, err := w.svc.UpdateStatus(ctx, w.p, stopped.ID, probity.AssessmentInactive); err != nil {
				t.Fatal(err)
			}
			_, fs, err := findings.Decode(strings.NewReader(sample(t, "prowler_example_output_aws.ocsf.json")))
			if err != nil {
				t.Fatal(err)
			}
			im := &findings.Importer{Store: w.st, Ledger: w.ledger, Author: "test",
				Rules: []findings.Rule{{Name: "root", Provider: "Prowler", CheckID: "account_maintain_current_contact_details", Controls: []string{"Root account hygiene"}}}}
			sum, err := im.Import(ctx, "", fs)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Evidence == 0 || sum.Assessments != 1 || sum.Duplicate != 0 {
				t.Fatalf("first import: %+v", sum)
			}
			if got := w.records(t, inScope); got != int64(sum.Evidence) {
				t.Errorf("assessment in scope has %d records, import says %d", got, sum.Evidence)
			}
			if got := w.records(t, other) + w.records(t, stopped); got != 0 {
				t.Errorf("assessments out of scope or inactive got %d records", got)
			}
			folders, err := w.st.EvidenceFolders(ctx, store.FolderPage{AccountID: inScope.AccountID, AssessmentID: inScope.ID, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			byControl := map[string]probity.EvidenceFolder{}
			for _, f := range folders {
				byControl[f.ControlName] = f
			}
			cis := byControl["1.20 Ensure that IAM Access analyzer is enabled"]
			if cis.TotalEvidence != 1 || cis.DataSource != findings.DataSourcePrefix+"prowler" || cis.EvidenceByTypeComplianceCheckCount != 1 ||
				cis.EvidenceByTypeComplianceCheckIssuesCount != 1 || cis.Date.Format("2006-01-02") != "2025-02-14" {
				t.Errorf("CIS 1.20 folder = %+v", cis)
			}
			if byControl["Root account hygiene"].TotalEvidence == 0 {
				t.Errorf("the rule mapped nothing: folders %+v", folders)
			}
			for _, n := range []string{"1.200 Not the same requirement", "Unrelated"} {
				if f, ok := byControl[n]; ok {
					t.Errorf("%s got evidence: %+v", n, f)
				}
			}
			again, err := im.Import(ctx, "", fs)
			if err != nil {
				t.Fatal(err)
			}
			if again.Evidence != 0 || again.Duplicate != sum.Evidence {
				t.Errorf("second import of the same file: %+v, want all %d duplicate", again, sum.Evidence)
			}
			if got := w.records(t, inScope); got != int64(sum.Evidence) {
				t.Errorf("after re-import the assessment has %d records, want %d", got, sum.Evidence)
			}
		})
	}
}

func TestRequirementMatches(t *testing.T) {
	for _, tc := range []struct {
		id, name string
		want     bool
	}{
		{"AC-2(1)", "AC-2(1) Account Management | Automated System Account Management", true},
		{"ac-2(1)", "AC-2(1) Account Management", true},
		{"AC-2", "AC-2(1) Account Management", false},
		{"1.20", "1.20", true},
		{"1.2", "1.20 Ensure", false},
		{"", "x", false},
		{"CloudTrail.2", "CloudTrail.2 CloudTrail should have encryption at-rest enabled", true},
	} {
		if got := findings.RequirementMatches(tc.id, tc.name); got != tc.want {
			t.Errorf("RequirementMatches(%q, %q) = %v, want %v", tc.id, tc.name, got, tc.want)
		}
	}
}
