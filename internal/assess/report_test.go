package assess_test

import (
	"context"
	"errors"
	"testing"

	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
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
			_, _, in := assessable(t, st, "c")
			in.ReportsDestination.Destination = t.TempDir()
			p := owner
			s := &assess.Service{Store: st}
			a, err := s.Create(bg, p, in)
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
