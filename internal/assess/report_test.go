package assess_test

import (
	"context"
	"errors"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// cancellingQueue fails to enqueue because the request's ctx ended meanwhile, as when
// the client hangs up.
type cancellingQueue struct{ cancel context.CancelFunc }

func (q cancellingQueue) EnqueueReport(ctx context.Context, _, _ string) error {
	q.cancel()
	return ctx.Err()
}

// TestReportFailedWhenTheRequestEnds has the request that creates a report end before
// its job is enqueued: the report is recorded FAILED with the reason, not left
// IN_PROGRESS for ever.
func TestReportFailedWhenTheRequestEnds(t *testing.T) {
	for _, name := range backendtest.Names {
		t.Run(name, func(t *testing.T) {
			st := backendtest.Open(t, name)
			bg := context.Background()
			c := storetest.NewControl("c")
			fw := storetest.NewFramework("fw", []*probity.Control{c})
			if err := st.Update(bg, store.LockLibrary, func(tx store.Tx) error {
				if err := tx.PutControls(bg, []*probity.Control{c}); err != nil {
					return err
				}
				return tx.PutFrameworks(bg, []*probity.Framework{fw})
			}); err != nil {
				t.Fatal(err)
			}
			p := auth.Principal{Name: "owner", AccountID: storetest.Account, Level: auth.Admin, ARN: "arn:aws:iam::111122223333:role/Owner"}
			s := &assess.Service{Store: st}
			a, err := s.Create(bg, p, assess.Input{Name: "a", FrameworkID: fw.ID,
				ReportsDestination: probity.Destination{Type: "S3", Destination: t.TempDir()},
				Scope:              probity.Scope{Accounts: []probity.AWSAccount{{ID: storetest.Account}}},
				Roles:              []probity.Role{{Type: probity.RoleProcessOwner, ARN: p.ARN}}})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(bg)
			defer cancel()
			r := &assess.Reports{Service: s, Queue: cancellingQueue{cancel}}
			if _, err := r.Create(ctx, p, a.ID, assess.CreateInput{Name: "r"}); !errors.Is(err, context.Canceled) {
				t.Fatalf("Create returned %v, want context.Canceled", err)
			}
			reps, err := r.List(bg, p, store.Cursor{}, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(reps) != 1 || reps[0].Status != store.ReportFailed || reps[0].Reason == "" {
				t.Fatalf("reports = %+v, want one FAILED with its reason", reps)
			}
		})
	}
}
