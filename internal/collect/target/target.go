// Package target reaches what a collection collects from: the AWS account of a task,
// through the role Probity assumes in it, and the regions collected in, a bounded number
// at a time. It also says which span of time an event collection reads (Span). The Security
// Hub, CloudTrail and API-call collectors share it.
package target

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/jobs"
)

// DefaultConcurrency is how many regions of one task are collected at once unless told.
const DefaultConcurrency = 4

// Accounts reaches the accounts collected from. Its fields are set before first use and
// not changed after; it is safe for concurrent use.
type Accounts struct {
	// Load returns Probity's own AWS configuration, whose credentials assume Role in
	// each target account. It is called on first use, not at start-up, so a process that
	// never collects needs no AWS configuration; a failed load is tried again next time.
	Load func(ctx context.Context) (aws.Config, error)
	// Role is assumed in every target account, the one Probity runs in included: each
	// monitored account creates it (awsconf.DefaultRoleName unless named).
	Role awsconf.Role
	// Regions are collected in; none means the region of Load's configuration.
	Regions []string
	// Concurrency bounds the regions of one task collected at once (DefaultConcurrency
	// when zero).
	Concurrency int
	// S3Options, when set, adjusts every S3 client (path-style addressing for
	// S3-compatible stores and emulators).
	S3Options func(*s3.Options)

	mu   sync.Mutex
	base *aws.Config
	byID map[string]aws.Config
}

// Config returns the configuration of account (12 digits): credentials from assuming
// Role there, refreshed before they expire, and the SDK's adaptive retry mode (client-side
// rate limiting on throttling) with the base configuration's number of attempts. A
// configuration is made once per account and kept for the life of the process. It returns
// an EINVALID error for a bad account or role, and the load's or STS's error otherwise.
func (a *Accounts) Config(ctx context.Context, account string) (aws.Config, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if cfg, ok := a.byID[account]; ok {
		return cfg, nil
	}
	if a.base == nil {
		if a.Load == nil {
			return aws.Config{}, fmt.Errorf("collect from account %s: no AWS configuration", account)
		}
		base, err := a.Load(ctx)
		if err != nil {
			return aws.Config{}, fmt.Errorf("collect from account %s: %w", account, err)
		}
		a.base = &base
	}
	cfg, err := a.Role.ForAccount(ctx, *a.base, account)
	if err != nil {
		return aws.Config{}, fmt.Errorf("collect from account %s: %w", account, err)
	}
	// Nil Retryer: each client builds its own from RetryMode, and RetryMaxAttempts
	// (when set) still bounds the attempts.
	cfg.Retryer, cfg.RetryMode = nil, aws.RetryModeAdaptive
	if a.byID == nil {
		a.byID = map[string]aws.Config{}
	}
	a.byID[account] = cfg
	return cfg, nil
}

// RegionsOf returns the regions collected in with cfg: Regions, or cfg's own region.
func (a *Accounts) RegionsOf(cfg aws.Config) []string {
	if len(a.Regions) > 0 {
		return a.Regions
	}
	return []string{cfg.Region}
}

// S3 returns an S3 client of cfg in region, with S3Options applied.
func (a *Accounts) S3(cfg aws.Config, region string) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.Region = region
		if a.S3Options != nil {
			a.S3Options(o)
		}
	})
}

// EachRegion runs f for every region collected in with cfg, at most Concurrency at once,
// and returns their evidence in the order of the regions. It returns the first error, each
// wrapped with its region, after cancelling the others.
func (a *Accounts) EachRegion(ctx context.Context, cfg aws.Config, f func(ctx context.Context, region string) ([]probity.Evidence, error)) ([]probity.Evidence, error) {
	regions := a.RegionsOf(cfg)
	out := make([][]probity.Evidence, len(regions))
	g, gctx := errgroup.WithContext(ctx)
	limit := a.Concurrency
	if limit <= 0 {
		limit = DefaultConcurrency
	}
	g.SetLimit(limit)
	for i, r := range regions {
		g.Go(func() error {
			evs, err := f(gctx, r)
			if err != nil {
				return fmt.Errorf("region %s: %w", r, err)
			}
			out[i] = evs
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return slices.Concat(out...), nil
}

// Lag is how far behind its window an event collection reads: events (CloudTrail log
// files, Security Hub finding updates, LookupEvents records) become visible a few minutes
// after their time stamp, so a window collected the moment it ends reads up to Lag before
// that moment, and the rest in the next window.
const Lag = 15 * time.Minute

// Span returns the span of event time (CloudTrail: log-file delivery time; Security Hub:
// finding update time) that a task's collection reads, [Start, End):
//   - a continuous source (no sourceFrequency), collected once its window has ended: the
//     window, moved back by Lag;
//   - a DAILY, WEEKLY or MONTHLY source, collected at the first run inside its window: the
//     period before the window (which has ended), moved back by Lag.
//
// Consecutive windows of a source therefore read consecutive spans, without gap or
// overlap, and a repeated collection of a window reads the same span: the window is the
// cursor of the event collectors, kept in the ledger's idempotency key, so an interrupted
// collection resumes where it was without a cursor store of its own.
func Span(t jobs.Task) jobs.Window {
	w := t.Window
	if t.Source.SourceFrequency != "" {
		// WindowFor cannot fail here: the task's window was made from this frequency.
		if prev, err := jobs.WindowFor(t.Source.SourceFrequency, time.Hour, w.Start.Add(-time.Nanosecond)); err == nil {
			w = prev
		}
	}
	return jobs.Window{Start: w.Start.Add(-Lag), End: w.End.Add(-Lag)}
}
