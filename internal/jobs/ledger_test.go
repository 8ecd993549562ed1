package jobs_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/jobs"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// TestCollectIntoTheLedger runs a collection the way `probity collect` does, with the real
// assessment model as the plan and the real ledger as the appender: the evidence lands in
// the control's folder once, a second collection of the same window appends nothing, and
// the chain verifies. Only the collector is written here, as the real collectors are not
// part of this package.
func TestCollectIntoTheLedger(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) store.Store{
		"sqlite": func(t *testing.T) store.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "probity.db"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"postgres": func(t *testing.T) store.Store {
			s, err := postgres.Open(context.Background(), pgtest.DSN(t))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := open(t)
			t.Cleanup(func() { st.Close() })
			c := storetest.NewControl("collected") // a Config source and a manual one
			fw := storetest.NewFramework("fw", []*probity.Control{c})
			if err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
				if err := tx.PutControls(ctx, []*probity.Control{c}); err != nil {
					return err
				}
				return tx.PutFrameworks(ctx, []*probity.Framework{fw})
			}); err != nil {
				t.Fatal(err)
			}
			owner := auth.Principal{Name: "owner", AccountID: storetest.Account, Level: auth.Admin, ARN: "arn:aws:iam::111122223333:role/Owner"}
			plan := &assess.Service{Store: st}
			a, err := plan.Create(ctx, owner, assess.Input{Name: "a", FrameworkID: fw.ID,
				ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
				Scope:              probity.Scope{Accounts: []probity.AWSAccount{{ID: storetest.Account}}},
				Roles:              []probity.Role{{Type: probity.RoleProcessOwner, ARN: owner.ARN}}})
			if err != nil {
				t.Fatal(err)
			}
			box, err := secret.NewBox(make([]byte, secret.KeySize))
			if err != nil {
				t.Fatal(err)
			}
			ledger := evidence.New(st, box)
			collector := jobs.CollectorFunc(func(_ context.Context, task jobs.Task) ([]probity.Evidence, error) {
				return []probity.Evidence{
					{EvidenceByType: probity.EvidenceTypeComplianceCheck, ComplianceCheck: "COMPLIANT", EvidenceAWSAccountID: storetest.Account},
					{EvidenceByType: probity.EvidenceTypeComplianceCheck, ComplianceCheck: "NON_COMPLIANT", EvidenceAWSAccountID: storetest.Account},
					// A collector cannot file evidence under another control.
					{EvidenceByType: probity.EvidenceTypeComplianceCheck, ComplianceCheck: "COMPLIANT", ControlID: "elsewhere"},
				}, nil
			})
			reg, err := jobs.NewRegistry(jobs.Registration{Type: probity.SourceTypeConfig, Collector: collector})
			if err != nil {
				t.Fatal(err)
			}
			svc := &jobs.Service{Plan: plan, Appender: ledger, Collectors: reg}
			filter := jobs.Filter{Account: storetest.Account, AssessmentID: a.ID}

			reps, err := svc.CollectNow(ctx, filter)
			if err != nil || len(reps) != 1 || reps[0].Outcome != jobs.OutcomeAppended || reps[0].Appended != 3 {
				t.Fatalf("first collection = %+v, %v; want one source appending 3", reps, err)
			}
			reps, err = svc.CollectNow(ctx, filter)
			if err != nil || len(reps) != 1 || reps[0].Outcome != jobs.OutcomeDuplicate {
				t.Fatalf("second collection of the window = %+v, %v; want a duplicate", reps, err)
			}

			folders, err := st.EvidenceFolders(ctx, store.FolderPage{AccountID: storetest.Account, AssessmentID: a.ID, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			set := a.ControlSets[0]
			if len(folders) != 1 || folders[0].TotalEvidence != 3 || folders[0].ControlID != set.Controls[0].ID ||
				folders[0].ControlSetID != set.ID || folders[0].DataSource != "AWS Config" ||
				folders[0].EvidenceByTypeComplianceCheckCount != 3 || folders[0].EvidenceByTypeComplianceCheckIssuesCount != 1 {
				t.Fatalf("folders = %+v; want one AWS Config folder of the control with 3 evidence, 1 issue", folders)
			}
			rep, err := ledger.Verify(ctx, a.ID)
			if err != nil || len(rep.Problems) != 0 || rep.Records != 3 {
				t.Fatalf("verify = %+v, %v; want 3 intact records", rep, err)
			}
		})
	}
}
