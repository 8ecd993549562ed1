package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/pgtest"
)

// fixedNow is the clock of these tests, so that no window boundary falls between two
// enqueues.
var fixedNow = time.Date(2026, 3, 14, 12, 30, 0, 0, time.UTC)

// backends runs fn once on an embedded SQLite file and once on a fresh PostgreSQL
// database. url opens another pool on the same database, as a second process would.
func backends(t *testing.T, fn func(t *testing.T, url string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:"+filepath.Join(t.TempDir(), "probity.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.DSN(t)) })
}

func openDB(t *testing.T, url string) Database {
	t.Helper()
	d, err := OpenDatabase(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// fixture is a service over an in-test plan and ledger.
type fixture struct {
	plan    *testPlan
	ledger  *testLedger
	coll    *countingCollector
	svc     *Service
	metrics *prometheus.Registry
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{plan: &testPlan{}, ledger: &testLedger{}, coll: &countingCollector{}, metrics: prometheus.NewRegistry()}
	reg, err := NewRegistry(
		Registration{probity.SourceTypeConfig, f.coll},
		Registration{probity.SourceTypeSecurityHub, f.coll},
	)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMetrics(f.metrics)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = &Service{Plan: f.plan, Appender: f.ledger, Collectors: reg, Now: func() time.Time { return fixedNow }, Metrics: m}
	return f
}

func (f *fixture) runner(t *testing.T, d Database, o RunnerOptions) *Runner {
	t.Helper()
	if o.RetryDelay == nil {
		o.RetryDelay = func(int) time.Duration { return 0 }
	}
	r, err := NewRunner(context.Background(), d, f.svc, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) count(t probity.SourceType, o Outcome) float64 {
	mfs, _ := f.metrics.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "probity_collections_total" {
			continue
		}
		for _, metric := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range metric.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["source_type"] == string(t) && labels["outcome"] == string(o) {
				return metric.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// start starts r, subscribed to finished collection jobs, and stops it when the test ends.
func start(t *testing.T, r *Runner) <-chan *river.Event {
	t.Helper()
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	t.Cleanup(cancel)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return events
}

// waitCompleted waits until n collection jobs have completed, and returns them; a job
// that fails before is reported only if it is never completed. The deadline only guards
// against a hang.
func waitCompleted(t *testing.T, events <-chan *river.Event, n int) []*rivertype.JobRow {
	t.Helper()
	return waitFor(t, events, n, false)
}

// waitFor waits until n collection jobs have completed and, when schedule is set, a
// scheduler job too.
func waitFor(t *testing.T, events <-chan *river.Event, n int, schedule bool) []*rivertype.JobRow {
	t.Helper()
	var done []*rivertype.JobRow
	deadline := time.After(2 * time.Minute)
	for len(done) < n || schedule {
		select {
		case e := <-events:
			switch {
			case e.Kind != river.EventKindJobCompleted:
			case e.Job.Kind == (CollectArgs{}).Kind():
				done = append(done, e.Job)
			case e.Job.Kind == (ScheduleArgs{}).Kind():
				schedule = false
			}
		case <-deadline:
			t.Fatalf("%d of %d collection jobs completed (scheduler still awaited: %v)", len(done), n, schedule)
		}
	}
	return done
}

func output(t *testing.T, j *rivertype.JobRow) Report {
	t.Helper()
	var rep Report
	if err := json.Unmarshal(j.Output(), &rep); err != nil {
		t.Fatalf("job %d output %s: %v", j.ID, j.Output(), err)
	}
	return rep
}

func countRows(t *testing.T, d Database, q string) int {
	t.Helper()
	var n int
	if err := d.SQL.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrateIsIdempotent(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		d := openDB(t, url)
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Go(func() {
				other, err := OpenDatabase(context.Background(), url)
				if err != nil {
					errs[i] = err
					return
				}
				defer other.Close()
				errs[i] = Migrate(context.Background(), other, nil)
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("concurrent migrations: %v", err)
		}
		versions := countRows(t, d, "SELECT count(*) FROM river_migration")
		if err := Migrate(context.Background(), d, nil); err != nil {
			t.Fatalf("second migration: %v", err)
		}
		if again := countRows(t, d, "SELECT count(*) FROM river_migration"); again != versions || versions == 0 {
			t.Errorf("migration versions %d, then %d: want the same, more than 0", versions, again)
		}
		if n := countRows(t, d, "SELECT count(*) FROM river_job"); n != 0 {
			t.Errorf("river_job has %d rows", n)
		}
	})
}

func TestJobRunsAndAppends(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		f := newFixture(t)
		f.plan.add(&testAssessment{account: "111111111111", id: "a1", active: true, sources: []probity.ControlMappingSource{
			configSource("daily", probity.FrequencyDaily), hubSource("hub"), {SourceType: probity.SourceTypeManual, SourceName: "Manual"},
		}})
		r := f.runner(t, openDB(t, url), RunnerOptions{})
		if n, err := r.EnqueueDue(context.Background()); err != nil || n != 2 {
			t.Fatalf("EnqueueDue = %d, %v; want 2 (the manual source is never collected)", n, err)
		}
		jobs := waitCompleted(t, start(t, r), 2)
		items, calls := f.ledger.snapshot()
		if len(items) != 4 || calls != 2 {
			t.Errorf("ledger holds %d items from %d appends, want 4 from 2", len(items), calls)
		}
		windows := map[string]string{}
		for _, j := range jobs {
			rep := output(t, j)
			if rep.Outcome != OutcomeAppended || rep.Appended != 2 || rep.Collected != 2 {
				t.Errorf("job output %+v, want 2 collected and appended", rep)
			}
			windows[rep.SourceID] = rep.Window
		}
		want := map[string]string{"daily": "2026-03-14T00:00:00Z/2026-03-15T00:00:00Z", "hub": "2026-03-14T11:00:00Z/2026-03-14T12:00:00Z"}
		if !maps(windows, want) {
			t.Errorf("windows %v, want %v", windows, want)
		}
		if got := f.count(probity.SourceTypeConfig, OutcomeAppended); got != 1 {
			t.Errorf("probity_collections_total{AWS_Config,appended} = %v, want 1", got)
		}
	})
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A job whose append committed but whose acknowledgement was lost is retried, and the
// retry appends nothing: the batch's key is the window's.
func TestRetriedJobDoesNotDuplicate(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		f := newFixture(t)
		f.ledger.failAfterAppend = 1
		f.plan.add(&testAssessment{account: "111111111111", id: "a1", active: true, sources: []probity.ControlMappingSource{configSource("daily", probity.FrequencyDaily)}})
		r := f.runner(t, openDB(t, url), RunnerOptions{})
		if _, err := r.EnqueueDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		jobs := waitCompleted(t, start(t, r), 1)
		if jobs[0].Attempt != 2 || len(jobs[0].Errors) != 1 || !strings.Contains(jobs[0].Errors[0].Error, errLostAck.Error()) {
			t.Errorf("job attempt %d with errors %v, want the second attempt after one error", jobs[0].Attempt, jobs[0].Errors)
		}
		if rep := output(t, jobs[0]); rep.Outcome != OutcomeDuplicate || rep.Appended != 2 {
			t.Errorf("retry output %+v, want a duplicate of the 2 items appended first", rep)
		}
		items, calls := f.ledger.snapshot()
		if len(items) != 2 || calls != 2 {
			t.Errorf("ledger holds %d items after %d appends, want 2 after 2", len(items), calls)
		}
		if f.count(probity.SourceTypeConfig, OutcomeFailed) != 1 || f.count(probity.SourceTypeConfig, OutcomeDuplicate) != 1 {
			t.Errorf("metrics failed %v duplicate %v, want 1 and 1", f.count(probity.SourceTypeConfig, OutcomeFailed), f.count(probity.SourceTypeConfig, OutcomeDuplicate))
		}
	})
}

// A source type without a collector completes its job with a recorded outcome and a
// counter, once: no error, no retry.
func TestNoCollectorIsAnOutcome(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		f := newFixture(t)
		trail := probity.ControlMappingSource{SourceID: "trail", SourceType: probity.SourceTypeCloudTrail,
			SourceKeyword: &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: "s3_DeleteBucket"}}
		f.plan.add(&testAssessment{account: "111111111111", id: "a1", active: true, sources: []probity.ControlMappingSource{trail}})
		r := f.runner(t, openDB(t, url), RunnerOptions{})
		if _, err := r.EnqueueDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		jobs := waitCompleted(t, start(t, r), 1)
		if rep := output(t, jobs[0]); rep.Outcome != OutcomeNoCollector || jobs[0].Attempt != 1 {
			t.Errorf("attempt %d output %+v, want outcome no_collector at the first attempt", jobs[0].Attempt, rep)
		}
		if got := f.count(probity.SourceTypeCloudTrail, OutcomeNoCollector); got != 1 {
			t.Errorf("probity_collections_total{AWS_Cloudtrail,no_collector} = %v, want 1", got)
		}
		if _, calls := f.ledger.snapshot(); calls != 0 {
			t.Errorf("%d appends, want none", calls)
		}
	})
}

func TestInactiveAssessmentsAreNotCollected(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		f := newFixture(t)
		f.plan.add(&testAssessment{account: "111111111111", id: "inactive", active: false, sources: []probity.ControlMappingSource{configSource("daily", probity.FrequencyDaily)}})
		f.plan.add(&testAssessment{account: "111111111111", id: "later", active: true, sources: []probity.ControlMappingSource{configSource("daily", probity.FrequencyDaily)}})
		r := f.runner(t, openDB(t, url), RunnerOptions{})
		if n, err := r.EnqueueDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("EnqueueDue = %d, %v; want 1 (the active assessment only)", n, err)
		}
		// "later" becomes INACTIVE after its job was enqueued and before it runs.
		f.plan.setActive("later", false)
		jobs := waitCompleted(t, start(t, r), 1)
		if rep := output(t, jobs[0]); rep.Outcome != OutcomeInactive || rep.AssessmentID != "later" {
			t.Errorf("output %+v, want outcome inactive for assessment later", rep)
		}
		if calls, _ := f.coll.total(); calls != 0 {
			t.Errorf("collector called %d times, want never", calls)
		}
		if _, err := f.svc.CollectNow(context.Background(), Filter{Account: "111111111111", AssessmentID: "inactive"}); probity.ErrorCode(err) != probity.ENOTFOUND {
			t.Errorf("CollectNow of an inactive assessment: %v, want not found", err)
		}
	})
}

// Two runners on one database, as two processes: both see the same collections due, and
// each collection is enqueued, collected and appended once.
func TestTwoRunnersDoNotDoubleCollect(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		f := newFixture(t)
		var sources []probity.ControlMappingSource
		for _, id := range []string{"d1", "d2", "d3"} {
			sources = append(sources, configSource(id, probity.FrequencyDaily))
		}
		sources = append(sources, configSource("w", probity.FrequencyWeekly), configSource("m", probity.FrequencyMonthly), hubSource("hub"))
		f.plan.add(&testAssessment{account: "111111111111", id: "a1", active: true, sources: sources})
		f.plan.add(&testAssessment{account: "222222222222", id: "a2", active: true, sources: sources})
		const want = 12
		a := f.runner(t, openDB(t, url), RunnerOptions{ID: "a"})
		b := f.runner(t, openDB(t, url), RunnerOptions{ID: "b"})

		var wg sync.WaitGroup
		counts := make([]int, 4)
		errs := make([]error, 4)
		for i, r := range []*Runner{a, b, a, b} {
			wg.Go(func() { counts[i], errs[i] = r.EnqueueDue(context.Background()) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if total := counts[0] + counts[1] + counts[2] + counts[3]; total != want {
			t.Fatalf("enqueued %v, %d in all; want %d in all", counts, total, want)
		}
		// Both start their schedulers too (one is leader, and enqueues on start); all of it
		// must still collect each collection once.
		evA, evB := start(t, a), start(t, b)
		merged := make(chan *river.Event)
		for _, ev := range []<-chan *river.Event{evA, evB} {
			go func() {
				for e := range ev {
					merged <- e
				}
			}()
		}
		// Wait until the leader's scheduler job has run too, so that a second enqueue of
		// the same windows would have happened.
		waitFor(t, merged, want, true)
		calls, distinct := f.coll.total()
		items, _ := f.ledger.snapshot()
		if calls != want || distinct != want || len(items) != 2*want {
			t.Errorf("collector called %d times for %d collections, ledger holds %d items; want %d, %d, %d", calls, distinct, len(items), want, want, 2*want)
		}
		if n := countRows(t, a.db, "SELECT count(*) FROM river_job WHERE kind = 'probity_collect'"); n != want {
			t.Errorf("%d collection jobs, want %d", n, want)
		}
	})
}

// countingUpkeep counts its runs.
type countingUpkeep struct{ runs atomic.Int32 }

func (u *countingUpkeep) Upkeep(context.Context) (evidence.Upkept, error) {
	u.runs.Add(1)
	return evidence.Upkept{Chains: 1}, nil
}

// TestUpkeepRunsOnStart: a runner whose service has an Upkeep runs it as a periodic job
// (at start, then daily), and records what it did as the job's output.
func TestUpkeepRunsOnStart(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		f := newFixture(t)
		u := &countingUpkeep{}
		f.svc.Upkeep = u
		r := f.runner(t, openDB(t, url), RunnerOptions{})
		events := start(t, r)
		deadline := time.After(2 * time.Minute) // only guards against a hang
		for {
			select {
			case e := <-events:
				if e.Kind == river.EventKindJobCompleted && e.Job.Kind == (UpkeepArgs{}).Kind() {
					var got evidence.Upkept
					if err := json.Unmarshal(e.Job.Output(), &got); err != nil || got.Chains != 1 {
						t.Fatalf("upkeep output %s (%v), want what Upkeep returned", e.Job.Output(), err)
					}
					if n := u.runs.Load(); n != 1 {
						t.Fatalf("upkeep ran %d times, want 1", n)
					}
					return
				}
			case <-deadline:
				t.Fatal("the upkeep job never completed")
			}
		}
	})
}

// TestInvalidSourceIsNotRetried: a collector's EINVALID error (a keyword it cannot collect)
// cancels the job at its first attempt, with the error, where other failures are retried.
func TestInvalidSourceIsNotRetried(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		f := newFixture(t)
		var calls atomic.Int32
		reg, err := NewRegistry(Registration{probity.SourceTypeConfig, CollectorFunc(func(context.Context, Task) ([]probity.Evidence, error) {
			calls.Add(1)
			return nil, probity.Errorf(probity.EINVALID, "NO_SUCH_RULE is not a managed rule")
		})})
		if err != nil {
			t.Fatal(err)
		}
		f.svc.Collectors = reg
		f.plan.add(&testAssessment{account: "111111111111", id: "a1", active: true, sources: []probity.ControlMappingSource{configSource("daily", probity.FrequencyDaily)}})
		r := f.runner(t, openDB(t, url), RunnerOptions{})
		events, cancel := r.Client().Subscribe(river.EventKindJobCancelled)
		t.Cleanup(cancel)
		start(t, r)
		if _, err := r.EnqueueDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		select {
		case e := <-events:
			if e.Job.Attempt != 1 || len(e.Job.Errors) == 0 || !strings.Contains(e.Job.Errors[len(e.Job.Errors)-1].Error, "NO_SUCH_RULE") {
				t.Errorf("cancelled job: attempt %d, errors %+v; want the first attempt, with the error", e.Job.Attempt, e.Job.Errors)
			}
		case <-time.After(2 * time.Minute): // only guards against a hang
			t.Fatal("the job was never cancelled")
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("collector called %d times, want 1", n)
		}
	})
}
