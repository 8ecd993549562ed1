package inventory_test

import (
	"context"
	"maps"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/collect/target"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/jobs"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// configControl returns a control whose one data source is the managed rule.
func configControl(rule string) *probity.Control {
	c := storetest.NewControl(strings.ToLower(rule))
	c.ControlMappingSources = []probity.ControlMappingSource{{
		SourceName: "Config " + rule, SourceType: probity.SourceTypeConfig, SourceSetUpOption: probity.SetUpSystem,
		SourceFrequency: probity.FrequencyDaily,
		SourceKeyword:   &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: rule},
	}}
	c.Normalize()
	return c
}

// TestCollectAssessment runs an assessment's collection the way `probity collect` does
// (real assessment model, real ledger, the AWS_Config collector) over three accounts
// that moto's account reaches by AssumeRole, seeded with compliant and non-compliant
// resources, on both backends. It checks the exact evidence that lands: the folder of
// each control with its counts, the compliance of each resource, the account each
// evidence came from; that the four controls shared one inventory per account; and
// that collecting the window again appends nothing.
func TestCollectAssessment(t *testing.T) {
	m := mototest.Shared(t)
	seeds := map[string]seeded{}
	for _, a := range accounts {
		seeds[a] = seed(t, m, a)
	}
	ruleIDs := []string{"S3_BUCKET_VERSIONING_ENABLED", "INCOMING_SSH_DISABLED", "IAM_USER_MFA_ENABLED", "ENCRYPTED_VOLUMES"}

	// want is the compliance of every resource by rule, "account resource-ARN" keyed.
	want := map[string]map[string]string{}
	for _, r := range ruleIDs {
		want[r] = map[string]string{}
	}
	for _, a := range accounts {
		s := seeds[a]
		sg := func(id string) string { return a + " arn:aws:ec2:us-east-1:" + a + ":security-group/" + id }
		want["S3_BUCKET_VERSIONING_ENABLED"][a+" arn:aws:s3:::"+s.goodBucket] = "COMPLIANT"
		want["S3_BUCKET_VERSIONING_ENABLED"][a+" arn:aws:s3:::"+s.badBucket] = "NON_COMPLIANT"
		want["INCOMING_SSH_DISABLED"][sg(s.defaultSG)] = "COMPLIANT"
		want["INCOMING_SSH_DISABLED"][sg(s.closedSG)] = "COMPLIANT"
		want["INCOMING_SSH_DISABLED"][sg(s.openSG)] = "NON_COMPLIANT"
		want["IAM_USER_MFA_ENABLED"][a+" arn:aws:iam::"+a+":user/alice"] = "COMPLIANT"
		want["IAM_USER_MFA_ENABLED"][a+" arn:aws:iam::"+a+":user/bob"] = "NON_COMPLIANT"
		// Unattached volumes are not applicable; Audit Manager keeps such evidence as
		// inconclusive, and so does Probity.
		want["ENCRYPTED_VOLUMES"][a+" arn:aws:ec2:us-east-1:"+a+":volume/"+s.volume] = "NOT_APPLICABLE"
	}

	for _, name := range backendtest.Names {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := backendtest.Open(t, name)
			var controls []*probity.Control
			byID := map[string]string{} // control id -> rule
			for _, r := range ruleIDs {
				c := configControl(r)
				controls = append(controls, c)
				byID[c.ID] = r
			}
			fw := storetest.NewFramework("fw", controls)
			if err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
				if err := tx.PutControls(ctx, controls); err != nil {
					return err
				}
				return tx.PutFrameworks(ctx, []*probity.Framework{fw})
			}); err != nil {
				t.Fatal(err)
			}
			owner := auth.Principal{Name: "owner", AccountID: storetest.Account, Level: auth.Admin, ARN: "arn:aws:iam::111122223333:role/Owner"}
			plan := &assess.Service{Store: st}
			var scope []probity.AWSAccount
			for _, a := range accounts {
				scope = append(scope, probity.AWSAccount{ID: a})
			}
			a, err := plan.Create(ctx, owner, assess.Input{Name: "a", FrameworkID: fw.ID,
				ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
				Scope:              probity.Scope{Accounts: scope},
				Roles:              []probity.Role{{Type: probity.RoleProcessOwner, ARN: owner.ARN}}})
			if err != nil {
				t.Fatal(err)
			}
			box, err := secret.NewBox(make([]byte, secret.KeySize))
			if err != nil {
				t.Fatal(err)
			}
			ledger := evidence.New(st, box)
			var snapshots atomic.Int32
			collector := &inventory.Collector{
				Accounts: &target.Accounts{Load: m.ConfigFunc(), Role: awsconf.Role{Name: roleName}},
				// Now is called once per snapshot taken.
				Inventory: &inventory.Inventory{Now: func() time.Time { snapshots.Add(1); return time.Now() }},
			}
			reg, err := jobs.NewRegistry(jobs.Registration{Type: probity.SourceTypeConfig, Collector: collector})
			if err != nil {
				t.Fatal(err)
			}
			svc := &jobs.Service{Plan: plan, Appender: ledger, Collectors: reg}
			filter := jobs.Filter{Account: storetest.Account, AssessmentID: a.ID}
			reps, err := svc.CollectNow(ctx, filter)
			if err != nil {
				t.Fatalf("collect: %v (%+v)", err, reps)
			}
			if len(reps) != len(ruleIDs)*len(accounts) {
				t.Fatalf("%d collections, want one per control and account (%d)", len(reps), len(ruleIDs)*len(accounts))
			}
			if n := snapshots.Load(); n != int32(len(accounts)) {
				t.Errorf("%d inventories taken, want one per account (%d) shared by the controls", n, len(accounts))
			}

			folders, err := st.EvidenceFolders(ctx, store.FolderPage{AccountID: storetest.Account, AssessmentID: a.ID, Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			type counts struct{ Total, Checks, Issues, Resources int }
			gotCounts := map[string]counts{}
			got := map[string]map[string]string{}
			for _, f := range folders {
				rule := byID[f.ControlID]
				if f.DataSource != "AWS Config" {
					t.Errorf("folder %s of %s: data source %q, want AWS Config", f.ID, rule, f.DataSource)
				}
				gotCounts[rule] = counts{f.TotalEvidence, f.EvidenceByTypeComplianceCheckCount, f.EvidenceByTypeComplianceCheckIssuesCount, f.EvidenceResourcesIncludedCount}
				evs, err := st.EvidenceByFolder(ctx, store.EvidencePage{AccountID: storetest.Account, AssessmentID: a.ID, FolderID: f.ID, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				got[rule] = map[string]string{}
				for _, e := range evs {
					if len(e.ResourcesIncluded) != 1 || e.ResourcesIncluded[0].ComplianceCheck != e.ComplianceCheck ||
						e.EventName != rule || e.EvidenceByType != probity.EvidenceTypeComplianceCheck {
						t.Errorf("evidence %+v: want one resource with the evidence's compliance, event %s, a compliance check", e, rule)
						continue
					}
					got[rule][e.EvidenceAWSAccountID+" "+e.ResourcesIncluded[0].ARN] = e.ComplianceCheck
				}
			}
			wantCounts := map[string]counts{
				"S3_BUCKET_VERSIONING_ENABLED": {6, 6, 3, 6},
				"INCOMING_SSH_DISABLED":        {9, 9, 3, 9},
				"IAM_USER_MFA_ENABLED":         {6, 6, 3, 6},
				"ENCRYPTED_VOLUMES":            {3, 3, 0, 3},
			}
			if diff := cmp.Diff(wantCounts, gotCounts); diff != "" {
				t.Errorf("folder counts by rule (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("compliance by rule, account and resource (-want +got):\n%s", diff)
			}

			reps, err = svc.CollectNow(ctx, filter)
			if err != nil {
				t.Fatal(err)
			}
			outcomes := map[jobs.Outcome]int{}
			for _, r := range reps {
				outcomes[r.Outcome]++
			}
			if !maps.Equal(outcomes, map[jobs.Outcome]int{jobs.OutcomeDuplicate: len(reps)}) {
				t.Errorf("second collection of the window: %v, want every one a duplicate", outcomes)
			}
			rep, err := ledger.Verify(ctx, a.ID)
			if err != nil || len(rep.Problems) != 0 || rep.Records != 24 {
				t.Fatalf("verify = %+v, %v; want 24 intact records", rep, err)
			}
		})
	}
}

// TestCollectProcessCheck: an AWS_Config source naming AWS Config's process check
// (which no rule evaluates) fails as invalid, saying what it is, before any account is
// reached; the job runner cancels such a job instead of retrying it.
func TestCollectProcessCheck(t *testing.T) {
	task := jobs.Task{Collection: jobs.Collection{Source: configControl("AWS_CONFIG_PROCESS_CHECK").ControlMappingSources[0]}, Target: "111122223333"}
	_, err := (&inventory.Collector{}).Collect(t.Context(), task)
	if probity.ErrorCode(err) != probity.EINVALID || !strings.Contains(err.Error(), "process check: a manual attestation") {
		t.Fatalf("got %v, want EINVALID naming the process check", err)
	}
}
