package insights_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/insights"
	"github.com/probity-dev/probity/internal/insights/insightstest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
)

// TestOverview checks that Overview gives, for every caller, window and clock, exactly
// what the methods it stands for give one by one.
func TestOverview(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		f := insightstest.Seed(t, st)
		ctx := context.Background()
		other := ownerOnly
		other.AccountID = insightstest.Other
		ids := []string{f.A1, f.A2, f.A3, f.B, probity.NewID()}
		for _, tc := range []struct {
			name string
			p    auth.Principal
			now  time.Time
			n    int
		}{
			{"owner, 30 days", ownerOnly, insightstest.Now, 30},
			{"owner, 1 day", ownerOnly, insightstest.Now, 1},
			{"owner, yesterday's window", ownerOnly, insightstest.Now.AddDate(0, 0, -1), 1},
			// The window holds no evidence: the last day is before it.
			{"owner, evidence before the window", ownerOnly, insightstest.Now.AddDate(0, 0, 5), 3},
			{"owner, before any evidence", ownerOnly, insightstest.Now.AddDate(0, 0, -9), 30},
			{"delegate", f.Delegate, insightstest.Now, 30},
			{"viewer", f.Viewer, insightstest.Now, 30},
			{"other account", other, insightstest.Now, 30},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := &insights.Service{Store: st, Now: func() time.Time { return tc.now }}
				got, err := s.Overview(ctx, tc.p, ids, tc.n)
				if err != nil {
					t.Fatal(err)
				}
				want := &insights.Overview{}
				must := func(err error) {
					t.Helper()
					if err != nil {
						t.Fatal(err)
					}
				}
				want.Summary, err = s.Account(ctx, tc.p)
				must(err)
				want.Trend, err = s.Trend(ctx, tc.p, "", "", tc.n)
				must(err)
				want.Domains, err = s.Domains(ctx, tc.p, "")
				must(err)
				want.DomainTrends, err = s.TrendByDomain(ctx, tc.p, "", tc.n)
				must(err)
				for _, id := range ids {
					a := insights.AssessmentOverview{ID: id}
					if a.Summary, a.Err = s.Assessment(ctx, tc.p, id); a.Err == nil {
						a.Trend, a.Err = s.Trend(ctx, tc.p, id, "", tc.n)
					}
					if a.Err != nil {
						a.Summary, a.Trend = nil, nil
					}
					want.Assessments = append(want.Assessments, a)
				}
				codes := cmp.Transformer("code", func(err error) string {
					if err == nil {
						return ""
					}
					return probity.ErrorCode(err) + ": " + err.Error()
				})
				if d := cmp.Diff(want, got, codes, cmpopts.EquateEmpty()); d != "" {
					t.Error(d)
				}
			})
		}
	})
}
