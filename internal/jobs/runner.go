package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/probity-dev/probity"
)

// Defaults of RunnerOptions.
const (
	DefaultScheduleInterval = 5 * time.Minute
	DefaultWorkers          = 4
	DefaultJobTimeout       = 10 * time.Minute
	// retention keeps a completed collection job, and with it the unique key that stops
	// its window from being enqueued again, for longer than the longest window (a month).
	// The ledger's idempotency key is the guarantee; this only saves collector calls.
	retention = 32 * 24 * time.Hour
	// maxAttempts bounds a failing collection: River's backoff (attempt⁴ seconds) spreads
	// ten attempts over about seven hours.
	maxAttempts = 10
	insertChunk = 500
)

// CollectArgs are a collection job's arguments: a source of a control over a window. The
// fields tagged unique are the job's identity, so that the same collection is enqueued
// once however many schedulers see it due.
type CollectArgs struct {
	Account      string             `json:"account" river:"unique"`
	AssessmentID string             `json:"assessment_id" river:"unique"`
	ControlSetID string             `json:"control_set_id" river:"unique"`
	ControlID    string             `json:"control_id" river:"unique"`
	SourceID     string             `json:"source_id" river:"unique"`
	SourceType   probity.SourceType `json:"source_type"`
	Target       string             `json:"target" river:"unique"`
	WindowStart  time.Time          `json:"window_start" river:"unique"`
	WindowEnd    time.Time          `json:"window_end" river:"unique"`
}

// Kind implements river.JobArgs.
func (CollectArgs) Kind() string { return "probity_collect" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (CollectArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

func argsOf(t Task) CollectArgs {
	return CollectArgs{
		Account: t.Account, AssessmentID: t.AssessmentID, ControlSetID: t.ControlSetID, ControlID: t.ControlID,
		SourceID: sourceID(t.Source), SourceType: t.Source.SourceType, Target: t.Target, WindowStart: t.Window.Start, WindowEnd: t.Window.End,
	}
}

// ScheduleArgs are the periodic scheduler job's arguments.
type ScheduleArgs struct{}

// Kind implements river.JobArgs.
func (ScheduleArgs) Kind() string { return "probity_schedule" }

// UpkeepArgs are the daily ledger upkeep job's arguments.
type UpkeepArgs struct{}

// Kind implements river.JobArgs.
func (UpkeepArgs) Kind() string { return "probity_upkeep" }

// upkeepInterval is how often the ledger's upkeep runs.
const upkeepInterval = 24 * time.Hour

// RunnerOptions configure a Runner. Zero values take the defaults.
type RunnerOptions struct {
	Logger *slog.Logger
	// Workers is how many collections run at once in this process; a negative value
	// runs none (the runner then only enqueues, and Start runs neither workers nor the
	// scheduler).
	Workers int
	// ScheduleInterval is how often the scheduler enqueues the due collections.
	ScheduleInterval time.Duration
	// JobTimeout bounds one collection attempt.
	JobTimeout time.Duration
	// RetryDelay, when set, gives the delay before the retry of a job that failed for the
	// attempt-th time, instead of River's backoff.
	RetryDelay func(attempt int) time.Duration
	// ID names this process among the runners sharing the database (River's default when
	// empty).
	ID string
	// Reports, when set, generates assessment reports in this process's workers (see
	// EnqueueReport).
	Reports Reporter
}

// Runner runs collections as River jobs in the library's database. One process or many
// may run on the same database: River elects one leader, whose scheduler enqueues the due
// collections, and every runner's workers take them.
type Runner struct {
	svc    *Service
	db     Database
	client *river.Client[*sql.Tx]
	log    *slog.Logger
	work   bool
}

// NewRunner migrates River's tables in db (see Migrate) and returns a runner of svc's
// collections, not yet started. It returns an error when svc is incomplete, an option is
// invalid, or the migration fails.
func NewRunner(ctx context.Context, db Database, svc *Service, o RunnerOptions) (*Runner, error) {
	if err := svc.check(); err != nil {
		return nil, err
	}
	if o.ScheduleInterval < 0 || o.JobTimeout < 0 {
		return nil, errors.New("jobs: the schedule interval and job timeout must be positive")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if err := Migrate(ctx, db, o.Logger); err != nil {
		return nil, err
	}
	r := &Runner{svc: svc, db: db, log: o.Logger, work: o.Workers >= 0}
	cfg := &river.Config{
		ID:                          o.ID,
		Logger:                      slog.New(busyElector{o.Logger.Handler()}),
		CompletedJobRetentionPeriod: retention,
		JobTimeout:                  cmpOr(o.JobTimeout, DefaultJobTimeout),
	}
	if o.RetryDelay != nil {
		cfg.RetryPolicy = retryPolicy(o.RetryDelay)
	}
	if r.work {
		workers := river.NewWorkers()
		if err := river.AddWorkerSafely(workers, &collectWorker{svc: svc}); err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
		if err := river.AddWorkerSafely(workers, &scheduleWorker{r: r}); err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
		interval := cmpOr(o.ScheduleInterval, DefaultScheduleInterval)
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cmpOr(o.Workers, DefaultWorkers)}}
		cfg.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(interval),
			func() (river.JobArgs, *river.InsertOpts) {
				return ScheduleArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: interval}}
			}, &river.PeriodicJobOpts{ID: "probity_schedule", RunOnStart: true})}
		if o.Reports != nil {
			if err := river.AddWorkerSafely(workers, &reportWorker{rep: o.Reports}); err != nil {
				return nil, fmt.Errorf("jobs: %w", err)
			}
		}
		if svc.Upkeep != nil {
			if err := river.AddWorkerSafely(workers, &upkeepWorker{u: svc.Upkeep}); err != nil {
				return nil, fmt.Errorf("jobs: %w", err)
			}
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(upkeepInterval),
				func() (river.JobArgs, *river.InsertOpts) {
					return UpkeepArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: upkeepInterval}}
				}, &river.PeriodicJobOpts{ID: "probity_upkeep", RunOnStart: true}))
		}
	}
	client, err := river.NewClient(db.driver(), cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	r.client = client
	return r, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Start starts the workers and, when this runner is elected leader, the periodic
// scheduler, in the background until Stop: ending ctx does not stop them (River would then
// cancel the running collections at once), so that Stop decides how they end. A runner
// without workers starts nothing. It returns an error when River cannot start.
func (r *Runner) Start(ctx context.Context) error {
	if !r.work {
		return nil
	}
	if err := r.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for the running ones to finish until ctx ends; then
// it cancels them (each is retried later, which the idempotency key makes safe) and waits
// for them to return. It returns ctx's error when the jobs had to be cancelled.
func (r *Runner) Stop(ctx context.Context) error {
	if !r.work {
		return nil
	}
	err := r.client.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	// The grace is over: cancel the jobs' contexts and wait for the workers to return.
	_ = r.client.StopAndCancel(context.WithoutCancel(ctx))
	return err
}

// Client returns the River client, for tests and operators' tools that watch the queue.
func (r *Runner) Client() *river.Client[*sql.Tx] { return r.client }

// EnqueueDue enqueues the collections due now, one job per collection and window, and
// returns how many were new. A collection already enqueued, running or completed for its
// window (by this runner or another) is skipped. It returns an error when the plan cannot
// be read or the insert fails.
func (r *Runner) EnqueueDue(ctx context.Context) (int, error) {
	tasks, err := r.svc.Due(ctx, Filter{}, r.svc.now())
	if err != nil {
		return 0, err
	}
	n := 0
	for len(tasks) > 0 {
		chunk := tasks[:min(len(tasks), insertChunk)]
		tasks = tasks[len(chunk):]
		params := make([]river.InsertManyParams, len(chunk))
		for i, t := range chunk {
			params[i] = river.InsertManyParams{Args: argsOf(t)}
		}
		res, err := r.client.InsertMany(ctx, params)
		if err != nil {
			return n, fmt.Errorf("jobs: enqueue collections: %w", err)
		}
		for _, x := range res {
			if !x.UniqueSkippedAsDuplicate {
				n++
			}
		}
	}
	return n, nil
}

// collectWorker runs one collection job.
type collectWorker struct {
	river.WorkerDefaults[CollectArgs]
	svc *Service
}

// Work runs the job's collection, as the plan now has it, through Service.Run, and records
// the Report as the job's output. A collection whose assessment is no longer ACTIVE, or no
// longer has the source, completes with OutcomeInactive without collecting.
func (w *collectWorker) Work(ctx context.Context, job *river.Job[CollectArgs]) error {
	rep, err := w.svc.runArgs(ctx, job.Args)
	if oerr := river.RecordOutput(ctx, rep); oerr != nil && err == nil {
		err = fmt.Errorf("record output: %w", oerr)
	}
	if probity.ErrorCode(err) == probity.EINVALID {
		// A source that cannot be collected as written (a keyword outside what its
		// collector knows, a bad parameter) fails the same way on every attempt: the job
		// ends cancelled, with the error, instead of being retried.
		return river.JobCancel(err)
	}
	return err
}

// runArgs finds the job's collection in the plan and runs it over the job's window.
func (s *Service) runArgs(ctx context.Context, a CollectArgs) (Report, error) {
	rep := Report{Account: a.Account, AssessmentID: a.AssessmentID, ControlSetID: a.ControlSetID, ControlID: a.ControlID,
		SourceID: a.SourceID, SourceType: a.SourceType, Target: a.Target, Window: Window{a.WindowStart, a.WindowEnd}.String()}
	cols, err := s.Plan.Collections(ctx, Filter{Account: a.Account, AssessmentID: a.AssessmentID})
	if err != nil {
		rep.Outcome, rep.Error = OutcomeFailed, err.Error()
		s.Metrics.count(a.SourceType, OutcomeFailed, a.Target)
		return rep, fmt.Errorf("list collections: %w", err)
	}
	siblings := siblingsOf(cols)
	for i, c := range cols {
		if c.Account == a.Account && c.ControlSetID == a.ControlSetID && c.ControlID == a.ControlID && sourceID(c.Source) == a.SourceID &&
			slices.Contains(targets(c), a.Target) {
			return s.Run(ctx, Task{Collection: c, Target: a.Target, Window: Window{a.WindowStart.UTC(), a.WindowEnd.UTC()}, Siblings: siblings[i]})
		}
	}
	// The assessment, the control, the source or the account left the scope.
	rep.Outcome = OutcomeInactive
	s.Metrics.count(a.SourceType, OutcomeInactive, a.Target)
	return rep, nil
}

// scheduleWorker runs the periodic scheduler job.
type scheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	r *Runner
}

// Work enqueues the due collections.
func (w *scheduleWorker) Work(ctx context.Context, _ *river.Job[ScheduleArgs]) error {
	n, err := w.r.EnqueueDue(ctx)
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, map[string]int{"enqueued": n})
}

// upkeepWorker runs the ledger's upkeep.
type upkeepWorker struct {
	river.WorkerDefaults[UpkeepArgs]
	u Upkeeper
}

// Work runs the upkeep and records what it did; a failure is retried like a collection.
func (w *upkeepWorker) Work(ctx context.Context, _ *river.Job[UpkeepArgs]) error {
	u, err := w.u.Upkeep(ctx)
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, u)
}

// retryPolicy is a River retry policy from a delay function.
type retryPolicy func(attempt int) time.Duration

func (p retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(p(job.Attempt))
}
