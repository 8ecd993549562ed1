// Package insightstest seeds a store with assessments and evidence whose insights are
// known exactly, appended through the real ledger, for the tests of the insights package,
// the API and the console. The numbers each insight must give are in the comments of
// Seed and in the fields of Fixture.
package insightstest

import (
	"context"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

// Accounts of the fixture: Account holds everything below; Other holds one assessment
// with evidence that Account must never see.
const (
	Account = "111122223333"
	Other   = "444455556666"
)

// Now is the fixture's clock: Today at noon UTC.
var (
	Today = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	Now   = Today.Add(12 * time.Hour)
)

// Owner is an admin key of Account, PROCESS_OWNER of every assessment.
var Owner = auth.Principal{Name: "owner", AccountID: Account, Level: auth.Admin,
	ARN: "arn:aws:iam::" + Account + ":role/Owner"}

// Fixture names what Seed made.
type Fixture struct {
	// Controls by key: AC1 and AC2 (domain AC), AU (domain AU), None (no domain).
	Controls map[string]*probity.Control
	// Set1 holds AC1, AU and None; Set2 holds AC2.
	Set1, Set2 string
	// A1 and A2 are ACTIVE; A3 is INACTIVE (deactivated after its evidence); B is Other's.
	A1, A2, A3, B string
	// Delegate is an editor key of Account whose identity is a delegate of Set2 of A1.
	Delegate auth.Principal
	// Viewer is a viewer key of Account with no role in any assessment.
	Viewer auth.Principal
}

// Seed fills st (empty) and returns what it made. Evidence, by assessment, day and
// control (C compliant, N non-compliant, I inconclusive):
//
//	A1 Today:   AC1 C2 N3, AC2 N1 I1, AU C4, None I2
//	A1 Today-1: AC1 N5, AU C1
//	A2 Today:   AC1 C1 N2, None I1
//	A2 Today+1: AU N7 (after Now: in no insight)
//	A3 Today:   AU N10 (A3 then becomes INACTIVE)
//	B  Today:   its control N100 (Other's)
//
// So, account-wide on Today: 2 active assessments, 8 assessment controls, C7 N6 I4, 3
// assessment controls with non-compliant evidence; domains AC (C3 N6 I1, 2 of 2
// controls non-compliant), AU (C4, 0 of 1), Uncategorized (I3, 0 of 1).
func Seed(t testing.TB, st store.Store) *Fixture {
	t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return Now }
	svc := &assess.Service{Store: st, Now: clock}
	f := &Fixture{Controls: map[string]*probity.Control{}}
	fw := framework(t, st, Account, f, []struct{ key, name, domain string }{
		{"AC1", "Account management", "AC"}, {"AU", "Event logging", "AU"}, {"None", "Manual review", ""}, {"AC2", "Access enforcement", "AC"},
	})
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	l := evidence.New(st, box)
	create := func(p auth.Principal, fwID, name string) *probity.Assessment {
		a, err := svc.Create(ctx, p, assess.Input{Name: name, FrameworkID: fwID,
			ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
			Scope:              probity.Scope{Accounts: []probity.AWSAccount{{ID: p.AccountID}}},
			Roles:              []probity.Role{{Type: probity.RoleProcessOwner, ARN: p.ARN}}})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	seq := 0
	add := func(account, assessmentID, setID string, c *probity.Control, day time.Time, cc, nc, ic int) {
		var items []probity.Evidence
		for i, n := range []int{cc, nc, ic} {
			check := []string{probity.ComplianceCompliant, probity.ComplianceNonCompliant, ""}[i]
			for range n {
				items = append(items, probity.Evidence{ControlSetID: setID, ControlID: c.ID, ControlName: c.Name,
					DataSource: "Config rule", Time: day.Add(time.Hour), EvidenceAWSAccountID: account, AWSAccountID: account,
					EvidenceByType: probity.EvidenceTypeComplianceCheck, ComplianceCheck: check,
					IAMID: "arn:aws:iam::" + account + ":role/collector"})
			}
		}
		seq++
		if _, err := l.Append(ctx, evidence.Batch{Account: account, AssessmentID: assessmentID, Author: "collector",
			Key:   evidence.Key{ControlSetID: setID, ControlID: c.ID, SourceID: "Config rule", WindowStart: day, WindowEnd: day.Add(time.Duration(seq) * time.Second)},
			Items: items}); err != nil {
			t.Fatal(err)
		}
	}
	a1, a2, a3 := create(Owner, fw.ID, "A1"), create(Owner, fw.ID, "A2"), create(Owner, fw.ID, "A3")
	f.A1, f.A2, f.A3 = a1.ID, a2.ID, a3.ID
	c := f.Controls
	y, tm := Today.AddDate(0, 0, -1), Today.AddDate(0, 0, 1)
	add(Account, f.A1, f.Set1, c["AC1"], Today, 2, 3, 0)
	add(Account, f.A1, f.Set2, c["AC2"], Today, 0, 1, 1)
	add(Account, f.A1, f.Set1, c["AU"], Today, 4, 0, 0)
	add(Account, f.A1, f.Set1, c["None"], Today, 0, 0, 2)
	add(Account, f.A1, f.Set1, c["AC1"], y, 0, 5, 0)
	add(Account, f.A1, f.Set1, c["AU"], y, 1, 0, 0)
	add(Account, f.A2, f.Set1, c["AC1"], Today, 1, 2, 0)
	add(Account, f.A2, f.Set1, c["None"], Today, 0, 0, 1)
	add(Account, f.A2, f.Set1, c["AU"], tm, 0, 7, 0)
	add(Account, f.A3, f.Set1, c["AU"], Today, 0, 10, 0)
	if _, err := svc.UpdateStatus(ctx, Owner, f.A3, probity.AssessmentInactive); err != nil {
		t.Fatal(err)
	}

	other := auth.Principal{Name: "other", AccountID: Other, Level: auth.Admin, ARN: "arn:aws:iam::" + Other + ":role/Owner"}
	of := &Fixture{Controls: map[string]*probity.Control{}}
	ofw := framework(t, st, Other, of, []struct{ key, name, domain string }{{"AC1", "Account management", "AC"}})
	b := create(other, ofw.ID, "B")
	f.B = b.ID
	add(Other, f.B, of.Set1, of.Controls["AC1"], Today, 0, 100, 0)

	f.Delegate = auth.Principal{Name: "delegate", AccountID: Account, Level: auth.Editor, ARN: "arn:aws:iam::" + Account + ":role/Delegate"}
	f.Viewer = auth.Principal{Name: "viewer", AccountID: Account, Level: auth.Viewer, ARN: "arn:aws:iam::" + Account + ":role/Viewer"}
	if _, fails, err := svc.CreateDelegations(ctx, Owner, f.A1, []assess.DelegationInput{
		{ControlSetID: f.Set2, RoleARN: f.Delegate.ARN, RoleType: probity.RoleResourceOwner}}); err != nil || len(fails) > 0 {
		t.Fatal(err, fails)
	}
	return f
}

// framework stores the controls (keyed, with names and domains) in account's library,
// and a framework of them: the first three in Set 1, the rest in Set 2.
func framework(t testing.TB, st store.Store, account string, f *Fixture, cs []struct{ key, name, domain string }) *probity.Framework {
	t.Helper()
	now := Now
	part := probity.DefaultPartition
	fw := &probity.Framework{ID: probity.NewID(), Type: probity.FrameworkTypeCustom, Name: "Insights framework",
		CreatedAt: now, LastUpdatedAt: now, AccountID: account}
	fw.ARN = part.ARN("assessmentFramework", fw.ID)
	sets := []probity.ControlSet{{Name: "Set 1"}, {Name: "Set 2"}}
	var controls []*probity.Control
	for i, x := range cs {
		c := &probity.Control{ID: probity.NewID(), Type: probity.ControlTypeCustom, Name: x.name, Domain: x.domain,
			ControlMappingSources: []probity.ControlMappingSource{{
				SourceName: "Config rule", SourceType: probity.SourceTypeConfig, SourceFrequency: "DAILY",
				SourceKeyword: &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: "S3_BUCKET_VERSIONING_ENABLED"},
			}},
			CreatedAt: now, LastUpdatedAt: now, AccountID: account}
		c.ARN = part.ARN("control", c.ID)
		c.Normalize()
		controls = append(controls, c)
		f.Controls[x.key] = c
		k := min(i/3, 1)
		sets[k].Controls = append(sets[k].Controls, c.ID)
	}
	if len(sets[1].Controls) == 0 {
		sets = sets[:1]
	}
	fw.ControlSets = sets
	fw.Normalize()
	if err := st.Update(context.Background(), store.LockLibrary, func(tx store.Tx) error {
		if err := tx.PutControls(context.Background(), controls); err != nil {
			return err
		}
		return tx.PutFrameworks(context.Background(), []*probity.Framework{fw})
	}); err != nil {
		t.Fatal(err)
	}
	f.Set1 = fw.ControlSets[0].ID
	if len(fw.ControlSets) > 1 {
		f.Set2 = fw.ControlSets[1].ID
	}
	return fw
}
