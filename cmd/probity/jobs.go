package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/jobs"
	"github.com/probity-dev/probity/internal/report"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

// jobsOptions are serve's flags for the collection jobs.
type jobsOptions struct {
	enabled            bool
	workers            int
	scheduleInterval   time.Duration
	continuousInterval time.Duration
	collect            collectOptions
}

func addJobsFlags(f *pflag.FlagSet, o *jobsOptions) {
	f.BoolVar(&o.enabled, "jobs", true, "run evidence collection jobs in this process (workers and scheduler); --jobs=false for API-only processes")
	f.IntVar(&o.workers, "jobs-workers", jobs.DefaultWorkers, "collections run at once by this process")
	f.DurationVar(&o.scheduleInterval, "jobs-schedule-interval", jobs.DefaultScheduleInterval, "how often the scheduler enqueues the due collections")
	f.DurationVar(&o.continuousInterval, "continuous-interval", jobs.DefaultContinuousInterval, "collection window of continuous sources (those without a sourceFrequency)")
	addCollectFlags(f, &o.collect)
}

// startJobs migrates River's tables and starts the collection jobs (planned from plan,
// appending to l) and the report jobs (reports, whose Queue it sets) on the library db, in a
// connection pool of their own. It returns nil when o disables them, and a usage error for
// a bad option. The caller calls the stop function it returns before closing st: it stops
// the runner (see jobs.Runner.Stop) and closes the pool.
func startJobs(ctx context.Context, db dbSpec, plan jobs.Plan, l *evidence.Ledger, reports *assess.Reports, o jobsOptions, log *slog.Logger, reg prometheus.Registerer) (stop func(context.Context) error, err error) {
	if !o.enabled {
		return nil, nil
	}
	if o.workers < 1 || o.scheduleInterval <= 0 || o.continuousInterval <= 0 {
		return nil, exitWith(ExitUsage, fmt.Errorf("--jobs-workers must be at least 1, and --jobs-schedule-interval and --continuous-interval positive"))
	}
	if err := o.collect.validate(); err != nil {
		return nil, err
	}
	m, err := jobs.NewMetrics(reg)
	if err != nil {
		return nil, asInternal(err)
	}
	svc, err := newCollections(plan, l, m, o.continuousInterval, o.collect)
	if err != nil {
		return nil, asInternal(err)
	}
	jdb, err := jobs.OpenDatabase(ctx, db.URL)
	if err != nil {
		return nil, asInternal(err)
	}
	r, err := jobs.NewRunner(ctx, jdb, svc, jobs.RunnerOptions{
		Logger: log.With("component", "jobs"), Workers: o.workers, ScheduleInterval: o.scheduleInterval, Reports: reports,
	})
	if err == nil {
		reports.Queue = r
	}
	if err == nil {
		err = r.Start(ctx)
	}
	if err != nil {
		jdb.Close()
		return nil, asInternal(err)
	}
	return func(ctx context.Context) error {
		err := r.Stop(ctx)
		jdb.Close()
		return err
	}, nil
}

// newReports returns the assessment reports of serve: written with the ledger's blobs,
// signed with the report signing keys sealed under box, to local directories or S3 (the
// standard AWS configuration). Its Queue is set by startJobs.
func newReports(assessments *assess.Service, l *evidence.Ledger, st store.Store, box *secret.Box, b blobOptions) *assess.Reports {
	sv := *assessments // not yet in use: a copy that reads the ledger's blobs
	if l != nil {
		sv.Ledger, sv.Blobs = l, l.Blobs
	}
	return &assess.Reports{Service: &sv, Keys: &report.Keys{Store: st, Box: box},
		S3: b.s3Client}
}

// servedReports returns reports when they can be made (the jobs run here, to enqueue
// them, and a master key seals the signing key), else nil: the report operations then
// say the server makes none.
func servedReports(r *assess.Reports) *assess.Reports {
	if r.Queue == nil || r.Keys.Box == nil {
		return nil
	}
	return r
}
