// Package insightseed fills a library with assessments and evidence at scale for the
// benchmarks of insights and of the console's dashboard: controls in domains, a framework
// of them, ACTIVE assessments made through internal/assess, and evidence appended through
// the real ledger (evidence.Ledger.Append), so the daily aggregates are the ones
// collection writes.
package insightseed

import (
	"context"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/bench/internal/benchdb"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

// Options says what to seed. Zero members take the defaults of Defaults.
type Options struct {
	Evidence    int       // evidence items in all
	Assessments int       // ACTIVE assessments, each of every control
	Controls    int       // controls of the framework
	Domains     int       // domains the controls are spread over (AC, AU, ... then D7, D8, ...)
	Days        int       // days the evidence spreads over, ending on the day of End
	End         time.Time // the last day of evidence; zero means today
}

// Defaults are the benchmark's sizes: 1,000,000 evidence in 4 assessments of 50 controls
// in 5 domains over 30 days, about 167 items per assessment control and day.
var Defaults = Options{Evidence: 1_000_000, Assessments: 4, Controls: 50, Domains: 5, Days: 30}

// Owner is the admin principal that owns what Seed makes.
var Owner = auth.Principal{Name: "bench", AccountID: probity.DefaultPartition.AccountID, Level: auth.Admin,
	ARN: "arn:aws:iam::" + probity.DefaultPartition.AccountID + ":role/Owner"}

var domainNames = []string{"AC", "AU", "CM", "IA", "SC", "SI"}

// Seed fills st as o says and returns the ids of the assessments. Evidence is appended in
// one batch per assessment, control and day; its compliance cycles compliant,
// non-compliant, inconclusive with the control's index, so domains and controls rank
// differently.
func Seed(ctx context.Context, st store.Store, o Options) ([]string, error) {
	o = withDefaults(o)
	end := probity.Day(o.End)
	if o.End.IsZero() {
		end = probity.Day(time.Now())
	}
	now := time.Now().UTC()
	account := Owner.AccountID
	f := &probity.Framework{ID: probity.NewID(), Type: probity.FrameworkTypeCustom, Name: "Insights benchmark",
		CreatedAt: now, CreatedBy: "bench", LastUpdatedAt: now, LastUpdatedBy: "bench", AccountID: account}
	f.ARN = probity.DefaultPartition.ARN("assessmentFramework", f.ID)
	set := probity.ControlSet{Name: "Benchmark controls"}
	var cs []*probity.Control
	for i := range o.Controls {
		c := &probity.Control{ID: probity.NewID(), Type: probity.ControlTypeCustom, Name: fmt.Sprintf("Insights control %03d", i),
			Domain: domain(i % o.Domains),
			ControlMappingSources: []probity.ControlMappingSource{{
				SourceName: "Config rule", SourceType: probity.SourceTypeConfig, SourceFrequency: "DAILY",
				SourceKeyword: &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: "S3_BUCKET_VERSIONING_ENABLED"},
			}},
			CreatedAt: now, CreatedBy: "bench", LastUpdatedAt: now, LastUpdatedBy: "bench", AccountID: account}
		c.ARN = probity.DefaultPartition.ARN("control", c.ID)
		c.Normalize()
		cs = append(cs, c)
		set.Controls = append(set.Controls, c.ID)
	}
	f.ControlSets = []probity.ControlSet{set}
	f.Normalize()
	if err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		if err := tx.PutControls(ctx, cs); err != nil {
			return err
		}
		return tx.PutFrameworks(ctx, []*probity.Framework{f})
	}); err != nil {
		return nil, err
	}
	svc := &assess.Service{Store: st}
	box, err := secret.NewBox(make([]byte, secret.KeySize)) // a benchmark's ledger has nothing to hide
	if err != nil {
		return nil, err
	}
	l := evidence.New(st, box)
	per := o.Evidence / (o.Assessments * o.Controls * o.Days)
	extra := o.Evidence - per*o.Assessments*o.Controls*o.Days
	var ids []string
	for n := range o.Assessments {
		a, err := svc.Create(ctx, Owner, assess.Input{Name: fmt.Sprintf("Insights benchmark %d", n), FrameworkID: f.ID,
			ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
			Scope:              probity.Scope{Accounts: []probity.AWSAccount{{ID: account}}},
			Roles:              []probity.Role{{Type: probity.RoleProcessOwner, ARN: Owner.ARN}}})
		if err != nil {
			return nil, err
		}
		ids = append(ids, a.ID)
		aset := a.ControlSets[0]
		for d := range o.Days {
			day := end.AddDate(0, 0, d-o.Days+1)
			for i, c := range aset.Controls {
				k := per
				if extra > 0 {
					k++
					extra--
				}
				items := make([]probity.Evidence, k)
				for j := range items {
					check := []string{probity.ComplianceCompliant, probity.ComplianceNonCompliant, ""}[(i+j)%3]
					items[j] = probity.Evidence{ControlSetID: aset.ID, ControlID: c.ID, ControlName: c.Name, DataSource: "Config rule",
						Time: day.Add(time.Duration(j) * time.Second), EvidenceAWSAccountID: account, AWSAccountID: account,
						EventSource: "config.amazonaws.com", EvidenceByType: probity.EvidenceTypeComplianceCheck, ComplianceCheck: check,
						IAMID: "arn:aws:iam::" + account + ":role/collector"}
				}
				if _, err := l.Append(ctx, evidence.Batch{Account: account, AssessmentID: a.ID, Author: "bench",
					Key:   evidence.Key{ControlSetID: aset.ID, ControlID: c.ID, SourceID: "Config rule", WindowStart: day, WindowEnd: day.Add(24 * time.Hour)},
					Items: items}); err != nil {
					return nil, err
				}
			}
		}
	}
	return ids, nil
}

func domain(i int) string {
	if i < len(domainNames) {
		return domainNames[i]
	}
	return fmt.Sprintf("D%d", i+1)
}

func withDefaults(o Options) Options {
	d := Defaults
	if o.Evidence > 0 {
		d.Evidence = o.Evidence
	}
	if o.Assessments > 0 {
		d.Assessments = o.Assessments
	}
	if o.Controls > 0 {
		d.Controls = o.Controls
	}
	if o.Domains > 0 {
		d.Domains = o.Domains
	}
	if o.Days > 0 {
		d.Days = o.Days
	}
	d.End = o.End
	return d
}

// Fresh makes an empty library on backend (benchdb.Fresh, its database named after
// prefix), seeds it with n evidence items as Seed does, and prints how long that took.
// It returns the store, the assessments' ids, and a function that closes the store and
// removes the library.
func Fresh(ctx context.Context, backend, prefix string, n int) (store.Store, []string, func(), error) {
	dbURL, drop, err := benchdb.Fresh(ctx, backend, "", prefix)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := benchdb.Open(ctx, dbURL)
	if err != nil {
		drop()
		return nil, nil, nil, err
	}
	done := func() { st.Close(); drop() }
	start := time.Now()
	ids, err := Seed(ctx, st, Options{Evidence: n})
	if err != nil {
		done()
		return nil, nil, nil, err
	}
	fmt.Printf("%s: %d evidence in %d assessments seeded in %s\n", backend, n, len(ids), time.Since(start).Round(time.Second))
	return st, ids, done, nil
}
