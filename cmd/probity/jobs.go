package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/jobs"
)

// jobsOptions are serve's flags for the collection jobs.
type jobsOptions struct {
	enabled            bool
	workers            int
	scheduleInterval   time.Duration
	continuousInterval time.Duration
	collectors         collectorOptions
}

// collectorOptions are the flags of the built-in collectors, shared by serve and collect.
type collectorOptions struct {
	role       string
	externalID string
	regions    []string
}

func addCollectorFlags(f *pflag.FlagSet, o *collectorOptions) {
	f.StringVar(&o.role, "collect-role", awsconf.DefaultRoleName, "IAM role (NAME or PATH/NAME) assumed in each account of an assessment's scope other than Probity's own")
	f.StringVar(&o.externalID, "collect-external-id", "", "external id passed when assuming --collect-role, for roles whose trust policy requires one")
	f.StringSliceVar(&o.regions, "collect-regions", nil, "regions inventoried in each account, comma-separated; the first also holds global resources such as IAM (default: the AWS configuration's region)")
}

// validate returns a usage error for a role, external id or region AWS would refuse.
func (o collectorOptions) validate() error {
	if err := (awsconf.Role{Name: o.role, ExternalID: o.externalID}).Validate(); err != nil {
		return exitWith(ExitUsage, fmt.Errorf("--collect-role, --collect-external-id: %w", err))
	}
	for _, r := range o.regions {
		if err := (awsconf.Options{Region: r}).Validate(); err != nil {
			return exitWith(ExitUsage, fmt.Errorf("--collect-regions: %w", err))
		}
	}
	return nil
}

func addJobsFlags(f *pflag.FlagSet, o *jobsOptions) {
	f.BoolVar(&o.enabled, "jobs", true, "run evidence collection jobs in this process (workers and scheduler); --jobs=false for API-only processes")
	f.IntVar(&o.workers, "jobs-workers", jobs.DefaultWorkers, "collections run at once by this process")
	f.DurationVar(&o.scheduleInterval, "jobs-schedule-interval", jobs.DefaultScheduleInterval, "how often the scheduler enqueues the due collections")
	f.DurationVar(&o.continuousInterval, "continuous-interval", jobs.DefaultContinuousInterval, "collection window of continuous sources (those without a sourceFrequency)")
	addCollectorFlags(f, &o.collectors)
}

// startJobs migrates River's tables and starts the collection jobs (planned from plan,
// appending to l) on the library db, in a
// connection pool of their own. It returns nil when o disables them, and a usage error for
// a bad option. The caller calls the stop function it returns before closing st: it stops
// the runner (see jobs.Runner.Stop) and closes the pool.
func startJobs(ctx context.Context, db dbSpec, plan jobs.Plan, l *evidence.Ledger, o jobsOptions, log *slog.Logger, reg prometheus.Registerer) (stop func(context.Context) error, err error) {
	if !o.enabled {
		return nil, nil
	}
	if o.workers < 1 || o.scheduleInterval <= 0 || o.continuousInterval <= 0 {
		return nil, exitWith(ExitUsage, fmt.Errorf("--jobs-workers must be at least 1, and --jobs-schedule-interval and --continuous-interval positive"))
	}
	if err := o.collectors.validate(); err != nil {
		return nil, err
	}
	m, err := jobs.NewMetrics(reg)
	if err != nil {
		return nil, asInternal(err)
	}
	svc, err := newCollections(plan, l, m, o.continuousInterval, o.collectors)
	if err != nil {
		return nil, asInternal(err)
	}
	jdb, err := jobs.OpenDatabase(ctx, db.URL)
	if err != nil {
		return nil, asInternal(err)
	}
	r, err := jobs.NewRunner(ctx, jdb, svc, jobs.RunnerOptions{
		Logger: log.With("component", "jobs"), Workers: o.workers, ScheduleInterval: o.scheduleInterval,
	})
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
