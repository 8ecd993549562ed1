package jobs_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/jobs"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// TestCollectIntoTheLedger runs a collection the way `probity collect` does, with the real
// assessment model as the plan and the real ledger as the appender, over a scope of two
// accounts of which one fails at first: the other's evidence lands in the control's folder
// anyway, a second collection of the window appends nothing for it and resumes the failed
// one, and the chain verifies. Only the collector is written here, as the real collectors
// are not part of this package.
func TestCollectIntoTheLedger(t *testing.T) {
	const unreachable = "444455556666"
	for _, name := range backendtest.Names {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := backendtest.Open(t, name)
			c := storetest.NewControl("collected") // a Config source and a manual one
			fw := storetest.NewFramework("fw", []*probity.Control{c})
			storetest.Put(t, st, []*probity.Control{c}, []*probity.Framework{fw})
			owner := auth.Principal{Name: "owner", AccountID: storetest.Account, Level: auth.Admin, ARN: "arn:aws:iam::111122223333:role/Owner"}
			plan := &assess.Service{Store: st}
			a, err := plan.Create(ctx, owner, assess.Input{Name: "a", FrameworkID: fw.ID,
				ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
				Scope:              probity.Scope{Accounts: []probity.AWSAccount{{ID: storetest.Account}, {ID: unreachable}}},
				Roles:              []probity.Role{{Type: probity.RoleProcessOwner, ARN: owner.ARN}}})
			if err != nil {
				t.Fatal(err)
			}
			box, err := secret.NewBox(make([]byte, secret.KeySize))
			if err != nil {
				t.Fatal(err)
			}
			ledger := evidence.New(st, box)
			reachable := false
			collector := jobs.CollectorFunc(func(_ context.Context, task jobs.Task) ([]probity.Evidence, error) {
				if task.Target == unreachable && !reachable {
					return nil, errors.New("AssumeRole: access denied")
				}
				return []probity.Evidence{
					{EvidenceByType: probity.EvidenceTypeComplianceCheck, ComplianceCheck: "COMPLIANT"},
					{EvidenceByType: probity.EvidenceTypeComplianceCheck, ComplianceCheck: "NON_COMPLIANT"},
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

			outcomes := func(reps []jobs.Report) map[string]jobs.Outcome {
				m := map[string]jobs.Outcome{}
				for _, r := range reps {
					m[r.Target] = r.Outcome
				}
				return m
			}
			reps, err := svc.CollectNow(ctx, filter)
			if err == nil || !strings.Contains(err.Error(), "access denied") ||
				!maps.Equal(outcomes(reps), map[string]jobs.Outcome{storetest.Account: jobs.OutcomeAppended, unreachable: jobs.OutcomeFailed}) {
				t.Fatalf("first collection = %+v, %v; want the reachable account appended and the other failed", reps, err)
			}
			reachable = true
			reps, err = svc.CollectNow(ctx, filter)
			if err != nil || !maps.Equal(outcomes(reps), map[string]jobs.Outcome{storetest.Account: jobs.OutcomeDuplicate, unreachable: jobs.OutcomeAppended}) {
				t.Fatalf("second collection of the window = %+v, %v; want a duplicate and the failed account resumed", reps, err)
			}

			folders, err := st.EvidenceFolders(ctx, store.FolderPage{AccountID: storetest.Account, AssessmentID: a.ID, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			set := a.ControlSets[0]
			if len(folders) != 1 || folders[0].TotalEvidence != 6 || folders[0].ControlID != set.Controls[0].ID ||
				folders[0].ControlSetID != set.ID || folders[0].DataSource != "AWS Config" ||
				folders[0].EvidenceByTypeComplianceCheckCount != 6 || folders[0].EvidenceByTypeComplianceCheckIssuesCount != 2 {
				t.Fatalf("folders = %+v; want one AWS Config folder of the control with 6 evidence, 2 issues", folders)
			}
			evs, err := st.EvidenceByFolder(ctx, store.EvidencePage{AccountID: storetest.Account, AssessmentID: a.ID, FolderID: folders[0].ID, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			from := map[string]int{}
			for _, e := range evs {
				from[e.EvidenceAWSAccountID]++
			}
			if !maps.Equal(from, map[string]int{storetest.Account: 3, unreachable: 3}) {
				t.Errorf("evidence by account collected from = %v, want 3 from each", from)
			}
			rep, err := ledger.Verify(ctx, a.ID)
			if err != nil || len(rep.Problems) != 0 || rep.Records != 6 {
				t.Fatalf("verify = %+v, %v; want 6 intact records", rep, err)
			}
		})
	}
}
