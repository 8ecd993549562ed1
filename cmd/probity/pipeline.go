package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/pipeline"
	"github.com/probity-dev/probity/internal/store"
)

// pipelineConfig is what the catalog pipeline flags of probity serve hold.
type pipelineConfig struct {
	sources   []string
	queue     string
	interval  time.Duration
	pathStyle bool
	notify    []string
}

// addPipelineFlags adds the catalog pipeline flags to flags.
func addPipelineFlags(flags *pflag.FlagSet) *pipelineConfig {
	c := &pipelineConfig{}
	flags.StringArrayVar(&c.sources, "catalog", nil, "catalog source to keep the library in step with (repeatable): "+sourceUsage())
	flags.StringVar(&c.queue, "catalog-queue", "", "SQS queue URL receiving the s3:// catalog source's event notifications (without it the bucket is polled)")
	flags.DurationVar(&c.interval, "catalog-interval", 30*time.Second, "how often git sources and s3 sources without a queue are polled")
	flags.BoolVar(&c.pathStyle, "catalog-s3-path-style", false, "address S3 as ENDPOINT/BUCKET, as S3-compatible stores often need")
	flags.StringArrayVar(&c.notify, "notify", nil, "where to send each catalog outcome (repeatable): "+notifyUsage()+"; also $PROBITY_NOTIFY, which keeps passwords off the command line")
	return c
}

// fromEnv adds the sources in PROBITY_CATALOG and the targets in PROBITY_NOTIFY (each a
// whitespace-separated list) to those of the flags, so that credentials in them need not
// appear on a command line that every local user can read.
func (c *pipelineConfig) fromEnv(getenv func(string) string) {
	c.sources = append(c.sources, strings.Fields(getenv("PROBITY_CATALOG"))...)
	c.notify = append(c.notify, strings.Fields(getenv("PROBITY_NOTIFY"))...)
}

// start checks the flags, opens the sources and notification targets, and starts the
// pipeline and its notifier until ctx ends. It returns nil, nil when no --catalog was
// given, and a usage error (exit code 2) for bad flags. After cancelling ctx, callers
// call wait, which returns nil once the pipeline and the notifier have stopped, or an
// error naming what is still busy when its own context ends first.
func (c *pipelineConfig) start(ctx context.Context, st store.Store, part probity.Partition, log *slog.Logger, reg prometheus.Registerer) (p *pipeline.Pipeline, wait func(context.Context) error, err error) {
	if len(c.sources) == 0 {
		if c.queue != "" || len(c.notify) > 0 {
			return nil, nil, exitWith(ExitUsage, errors.New("--catalog-queue and --notify need at least one --catalog source"))
		}
		return nil, func(context.Context) error { return nil }, nil
	}
	notifiers, err := notify.NewRegistry(notifyKinds())
	if err != nil {
		return nil, nil, err
	}
	sources, err := pipeline.NewSourceRegistry(catalogKinds())
	if err != nil {
		return nil, nil, err
	}
	targets, err := notifiers.Open(ctx, c.notify, notify.Env{})
	if err != nil {
		return nil, nil, exitWith(ExitUsage, err)
	}
	srcs, err := sources.Open(ctx, c.sources, pipeline.SourceEnv{
		Interval: c.interval, Queue: c.queue, PathStyle: c.pathStyle, Logger: log,
	})
	if err != nil {
		return nil, nil, exitWith(ExitUsage, err)
	}
	var sender pipeline.Sender
	var d *notify.Dispatcher
	if len(targets) > 0 {
		if d, err = notify.NewDispatcher(targets, notify.DispatchOptions{Logger: log, Registerer: reg}); err != nil {
			return nil, nil, err
		}
		sender = d
	}
	p, err = pipeline.New(pipeline.Config{Sources: srcs, Store: st, Sender: sender, Logger: log, Registerer: reg, Partition: part})
	if err != nil {
		return nil, nil, exitWith(ExitUsage, err)
	}
	if d != nil {
		d.Start(ctx)
	}
	p.Start(ctx)
	for _, s := range srcs {
		log.Info("catalog source", "source", s.Name())
	}
	return p, func(ctx context.Context) error {
		err := p.Wait(ctx)
		if d != nil {
			err = errors.Join(err, d.Wait(ctx))
		}
		return err
	}, nil
}
