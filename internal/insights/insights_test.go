package insights_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/insights"
	"github.com/probity-dev/probity/internal/insights/insightstest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
)

var (
	today  = insightstest.Today
	ac, au = insights.DomainID("AC"), insights.DomainID("AU")
	uncat  = insights.UncategorizedID
	counts = func(c, n, i int) insights.Counts {
		return insights.Counts{Compliant: c, NonCompliant: n, Inconclusive: i}
	}
	ownerOnly = insightstest.Owner
)

func TestInsights(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		f := insightstest.Seed(t, st)
		s := &insights.Service{Store: st, Now: func() time.Time { return insightstest.Now }}
		ctx := context.Background()
		c := f.Controls

		t.Run("account", func(t *testing.T) {
			got, err := s.Account(ctx, ownerOnly)
			if err != nil {
				t.Fatal(err)
			}
			want := &insights.Summary{ActiveAssessments: 2, Counts: counts(7, 6, 4), NonCompliantAssessmentControls: 3,
				TotalAssessmentControls: 8, LastUpdated: today}
			if d := cmp.Diff(want, got); d != "" {
				t.Error(d)
			}
		})
		t.Run("assessments", func(t *testing.T) {
			for _, tc := range []struct {
				name string
				id   string
				want *insights.AssessmentSummary
			}{
				{"active", f.A1, &insights.AssessmentSummary{AssessmentID: f.A1, Counts: counts(6, 4, 3), NonCompliantControls: 2, TotalControls: 4, LastUpdated: today}},
				{"evidence after now left out", f.A2, &insights.AssessmentSummary{AssessmentID: f.A2, Counts: counts(1, 2, 1), NonCompliantControls: 1, TotalControls: 4, LastUpdated: today}},
				{"inactive keeps its evidence", f.A3, &insights.AssessmentSummary{AssessmentID: f.A3, Counts: counts(0, 10, 0), NonCompliantControls: 1, TotalControls: 4, LastUpdated: today}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					got, err := s.Assessment(ctx, ownerOnly, tc.id)
					if err != nil {
						t.Fatal(err)
					}
					if d := cmp.Diff(tc.want, got); d != "" {
						t.Error(d)
					}
				})
			}
		})
		t.Run("domains", func(t *testing.T) {
			got, err := s.Domains(ctx, ownerOnly, "")
			if err != nil {
				t.Fatal(err)
			}
			want := []insights.Domain{
				{ID: ac, Name: "AC", NonCompliantControls: 2, TotalControls: 2, Counts: counts(3, 6, 1), LastUpdated: today},
				{ID: au, Name: "AU", TotalControls: 1, Counts: counts(4, 0, 0), LastUpdated: today},
				{ID: uncat, Name: probity.DomainUncategorized, TotalControls: 1, Counts: counts(0, 0, 3), LastUpdated: today},
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Error(d)
			}
			got, err = s.Domains(ctx, ownerOnly, f.A2)
			if err != nil {
				t.Fatal(err)
			}
			want = []insights.Domain{
				{ID: ac, Name: "AC", NonCompliantControls: 1, TotalControls: 2, Counts: counts(1, 2, 0), LastUpdated: today},
				{ID: uncat, Name: probity.DomainUncategorized, TotalControls: 1, Counts: counts(0, 0, 1), LastUpdated: today},
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Error(d)
			}
		})
		t.Run("controls", func(t *testing.T) {
			got, err := s.Controls(ctx, ownerOnly, "", ac)
			if err != nil {
				t.Fatal(err)
			}
			want := []insights.Control{
				{ID: c["AC1"].ID, Name: "Account management", Counts: counts(3, 5, 0), LastUpdated: today},
				{ID: c["AC2"].ID, Name: "Access enforcement", Counts: counts(0, 1, 1), LastUpdated: today},
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Error(d)
			}
			got, err = s.Controls(ctx, ownerOnly, f.A1, ac)
			if err != nil {
				t.Fatal(err)
			}
			want = []insights.Control{
				{ID: c["AC1"].ID, Name: "Account management", ControlSetName: "Set 1", Counts: counts(2, 3, 0), LastUpdated: today},
				{ID: c["AC2"].ID, Name: "Access enforcement", ControlSetName: "Set 2", Counts: counts(0, 1, 1), LastUpdated: today},
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Error(d)
			}
			got, err = s.Controls(ctx, ownerOnly, f.A1, uncat)
			if err != nil {
				t.Fatal(err)
			}
			want = []insights.Control{{ID: c["None"].ID, Name: "Manual review", ControlSetName: "Set 1", Counts: counts(0, 0, 2), LastUpdated: today}}
			if d := cmp.Diff(want, got); d != "" {
				t.Error(d)
			}
			for _, id := range []string{insights.DomainID("SC"), "not-an-id"} {
				if _, err := s.Controls(ctx, ownerOnly, "", id); probity.ErrorCode(err) != probity.ENOTFOUND {
					t.Errorf("domain %s: got %v, want ENOTFOUND", id, err)
				}
			}
		})
		t.Run("trend", func(t *testing.T) {
			day := func(back int, c insights.Counts) insights.Day {
				return insights.Day{Date: today.AddDate(0, 0, -back), Counts: c}
			}
			got, err := s.Trend(ctx, ownerOnly, "", "", 3)
			if err != nil {
				t.Fatal(err)
			}
			want := []insights.Day{day(2, counts(0, 0, 0)), day(1, counts(1, 5, 0)), day(0, counts(7, 6, 4))}
			if d := cmp.Diff(want, got); d != "" {
				t.Error(d)
			}
			got, err = s.Trend(ctx, ownerOnly, f.A1, au, 2)
			if err != nil {
				t.Fatal(err)
			}
			want = []insights.Day{day(1, counts(1, 0, 0)), day(0, counts(4, 0, 0))}
			if d := cmp.Diff(want, got); d != "" {
				t.Error(d)
			}
			byDomain, err := s.TrendByDomain(ctx, ownerOnly, "", 2)
			if err != nil {
				t.Fatal(err)
			}
			wantByDomain := []insights.DomainTrend{
				{ID: ac, Name: "AC", Days: []insights.Day{day(1, counts(0, 5, 0)), day(0, counts(3, 6, 1))}},
				{ID: au, Name: "AU", Days: []insights.Day{day(1, counts(1, 0, 0)), day(0, counts(4, 0, 0))}},
				{ID: uncat, Name: probity.DomainUncategorized, Days: []insights.Day{day(1, counts(0, 0, 0)), day(0, counts(0, 0, 3))}},
			}
			if d := cmp.Diff(wantByDomain, byDomain); d != "" {
				t.Error(d)
			}
		})
		t.Run("top controls", func(t *testing.T) {
			got, err := s.TopControls(ctx, ownerOnly, "", 2)
			if err != nil {
				t.Fatal(err)
			}
			want := []insights.AssessmentControl{
				{AssessmentID: f.A1, ControlID: c["AC1"].ID, ControlSetID: f.Set1, ControlSetName: "Set 1", Name: "Account management", Domain: "AC", Counts: counts(2, 3, 0)},
				{AssessmentID: f.A2, ControlID: c["AC1"].ID, ControlSetID: f.Set1, ControlSetName: "Set 1", Name: "Account management", Domain: "AC", Counts: counts(1, 2, 0)},
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Error(d)
			}
		})
		t.Run("access", func(t *testing.T) {
			// A delegate of Set 2 sees the controls of Set 2 only.
			got, err := s.Assessment(ctx, f.Delegate, f.A1)
			if err != nil {
				t.Fatal(err)
			}
			want := &insights.AssessmentSummary{AssessmentID: f.A1, Counts: counts(0, 1, 1), NonCompliantControls: 1, TotalControls: 1, LastUpdated: today}
			if d := cmp.Diff(want, got); d != "" {
				t.Error(d)
			}
			if _, err := s.Controls(ctx, f.Delegate, f.A1, au); probity.ErrorCode(err) != probity.ENOTFOUND {
				t.Errorf("delegate, domain of another set: got %v, want ENOTFOUND", err)
			}
			// The viewer reads the account's insights but no assessment's.
			if _, err := s.Account(ctx, f.Viewer); err != nil {
				t.Error(err)
			}
			if _, err := s.Assessment(ctx, f.Viewer, f.A1); probity.ErrorCode(err) != probity.EUNAUTHORIZED {
				t.Errorf("viewer: got %v, want EUNAUTHORIZED", err)
			}
			// Another account's assessment does not exist, nor does a made-up one.
			for _, id := range []string{f.B, probity.NewID()} {
				if _, err := s.Assessment(ctx, ownerOnly, id); probity.ErrorCode(err) != probity.ENOTFOUND {
					t.Errorf("assessment %s: got %v, want ENOTFOUND", id, err)
				}
			}
			// The other account sees its own evidence only.
			other := ownerOnly
			other.AccountID = insightstest.Other
			sum, err := s.Account(ctx, other)
			if err != nil {
				t.Fatal(err)
			}
			if want := (&insights.Summary{ActiveAssessments: 1, Counts: counts(0, 100, 0), NonCompliantAssessmentControls: 1,
				TotalAssessmentControls: 1, LastUpdated: today}); !cmp.Equal(want, sum) {
				t.Error(cmp.Diff(want, sum))
			}
		})
		t.Run("no evidence", func(t *testing.T) {
			empty := ownerOnly
			empty.AccountID = "999999999999"
			got, err := s.Account(ctx, empty)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(&insights.Summary{}, got); d != "" {
				t.Error(d)
			}
			ds, err := s.Domains(ctx, empty, "")
			if err != nil || len(ds) != 0 {
				t.Errorf("domains: %v, %v; want none", ds, err)
			}
		})
	})
}
