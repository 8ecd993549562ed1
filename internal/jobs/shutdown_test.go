package jobs

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/probity-dev/probity"
)

// blockingCollector signals when it starts and returns when released or cancelled.
type blockingCollector struct {
	started chan struct{}
	release chan struct{}
}

func (c *blockingCollector) Collect(ctx context.Context, t Task) ([]probity.Evidence, error) {
	c.started <- struct{}{}
	select {
	case <-c.release:
		return []probity.Evidence{{EventName: t.Window.String()}}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func shutdownFixture(t *testing.T, url string) (*fixture, *blockingCollector, *Runner, <-chan *river.Event) {
	f := newFixture(t)
	bc := &blockingCollector{started: make(chan struct{}, 1), release: make(chan struct{})}
	reg, err := NewRegistry(Registration{probity.SourceTypeConfig, bc})
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Collectors = reg
	f.plan.add(&testAssessment{account: "111111111111", id: "a1", active: true, sources: []probity.ControlMappingSource{configSource("daily", probity.FrequencyDaily)}})
	r := f.runner(t, openDB(t, url), RunnerOptions{})
	if _, err := r.EnqueueDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	t.Cleanup(cancel)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-bc.started
	return f, bc, r, events
}

// Stop waits for a running collection to finish, and the job completes.
func TestStopWaitsForRunningCollection(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		f, bc, r, events := shutdownFixture(t, url)
		stopped := make(chan error, 1)
		go func() { stopped <- r.Stop(context.Background()) }()
		close(bc.release)
		if err := <-stopped; err != nil {
			t.Fatalf("Stop: %v", err)
		}
		waitCompleted(t, events, 1)
		if items, _ := f.ledger.snapshot(); len(items) != 1 {
			t.Errorf("ledger holds %d items, want 1", len(items))
		}
	})
}

// Stop whose grace has ended cancels the running collection, which appends nothing and is
// left to be retried; Stop returns.
func TestStopCancelsAfterGrace(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		f, _, r, _ := shutdownFixture(t, url)
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // no grace at all
		if err := r.Stop(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Stop = %v, want context.Canceled", err)
		}
		if _, calls := f.ledger.snapshot(); calls != 0 {
			t.Errorf("%d appends, want none", calls)
		}
		res, err := r.Client().JobList(context.Background(), river.NewJobListParams().Kinds((CollectArgs{}).Kind()))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Jobs) != 1 || res.Jobs[0].State == rivertype.JobStateCompleted || res.Jobs[0].State == rivertype.JobStateDiscarded {
			t.Errorf("jobs %v, want one left to retry", res.Jobs)
		}
	})
}

// CollectNow runs the collections of one assessment through the jobs' code path, without
// the queue, and reports each.
func TestCollectNow(t *testing.T) {
	f := newFixture(t)
	f.plan.add(&testAssessment{account: "111111111111", id: "a1", active: true, sources: []probity.ControlMappingSource{
		configSource("daily", probity.FrequencyDaily),
		{SourceID: "trail", SourceType: probity.SourceTypeCloudTrail, SourceKeyword: &probity.SourceKeyword{KeywordValue: "s3_DeleteBucket"}},
	}})
	f.plan.add(&testAssessment{account: "111111111111", id: "other", active: true, sources: []probity.ControlMappingSource{configSource("daily", probity.FrequencyDaily)}})
	reps, err := f.svc.CollectNow(context.Background(), Filter{AssessmentID: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Outcome{}
	for _, r := range reps {
		got[r.SourceID] = r.Outcome
	}
	if len(reps) != 2 || got["daily"] != OutcomeAppended || got["trail"] != OutcomeNoCollector {
		t.Errorf("reports %+v, want daily appended and trail no_collector", reps)
	}
	// Again: the same windows, so nothing new.
	reps, err = f.svc.CollectNow(context.Background(), Filter{AssessmentID: "a1"})
	if err != nil || reps[0].Outcome != OutcomeDuplicate {
		t.Errorf("second run %+v, %v; want a duplicate", reps, err)
	}
	if items, _ := f.ledger.snapshot(); len(items) != 2 {
		t.Errorf("ledger holds %d items, want 2 (one collection of assessment a1)", len(items))
	}

	// A failing collector makes CollectNow fail, naming the collection.
	failing, _ := NewRegistry(Registration{probity.SourceTypeConfig, CollectorFunc(func(context.Context, Task) ([]probity.Evidence, error) {
		return nil, errors.New("AccessDenied")
	})})
	f.svc.Collectors = failing
	reps, err = f.svc.CollectNow(context.Background(), Filter{AssessmentID: "other"})
	if err == nil || len(reps) != 1 || reps[0].Outcome != OutcomeFailed {
		t.Fatalf("CollectNow with a failing collector = %+v, %v; want a failure", reps, err)
	}
	for _, want := range []string{"control set set-1", "control ctl-0", "source daily", "AccessDenied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}
