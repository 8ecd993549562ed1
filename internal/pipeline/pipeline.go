// Package pipeline keeps the library in step with catalog sources: S3 buckets (with SQS
// event notifications or polling), local directories and git repositories.
//
// Whatever the source, a change leads to the same reconcile: the source's files are
// taken as a whole snapshot, loaded and checked, planned against the library and
// applied in one transaction, with Prune, under the source's own name. A file with
// problems does not block the others, and its last good version (kept in the store)
// stays in effect. Each outcome is stored as a notification and sent to subscribers.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/backoff"
	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/store"
)

// Sender takes the outcome of each reconcile; *notify.Dispatcher is one. Send must not
// block.
type Sender interface {
	Send(m notify.Message)
}

// Config is what a Pipeline needs.
type Config struct {
	// Sources are the catalog sources; their names must be distinct.
	Sources []Source
	// Store is the library; it also keeps each source's last good versions and every
	// outcome as a notification.
	Store store.Store
	// Sender receives every outcome worth telling; nil sends nothing.
	Sender Sender
	// Logger; nil discards.
	Logger *slog.Logger
	// Registerer receives the pipeline's metrics; nil registers nowhere.
	Registerer prometheus.Registerer
	// Now is the clock for recorded times; nil means time.Now.
	Now func() time.Time
	// Debounce is how long a source must be quiet after a change before it is
	// reconciled (default 100 ms); MaxDelay bounds the wait in a steady stream of
	// changes (default 2 s).
	Debounce, MaxDelay time.Duration
	// RetryMin and RetryMax bound the backoff after a source or the store fails
	// (defaults 1 s and 1 min).
	RetryMin, RetryMax time.Duration
	// Actor is recorded as createdBy and lastUpdatedBy (default "probity-pipeline").
	Actor string
	// Partition names the account whose library every source is applied to (a catalog
	// source is bound to one account), and the region of the ARNs the pipeline makes; zero
	// means probity.DefaultPartition.
	Partition probity.Partition
}

// Pipeline reconciles its sources into the library until its context ends.
type Pipeline struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	runners []*runner

	// mu serialises reconciles: they all read and write the one library. It guards
	// what reconciles keep for the next one, below.
	mu sync.Mutex
	// lib is the account's library at revision libRev, as the last reconcile read or
	// left it; nil when it must be read again.
	lib    *store.Library
	libRev int64
	// kept holds what each source's reconciles keep, by source name.
	kept map[string]*sourceMemory
}

// New checks cfg and returns a pipeline that is not yet running. It returns an EINVALID
// error for no sources or two sources with one name, and an error when the metrics
// cannot be registered.
func New(cfg Config) (*Pipeline, error) {
	if len(cfg.Sources) == 0 {
		return nil, probity.Errorf(probity.EINVALID, "pipeline: no catalog sources")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Debounce <= 0 {
		cfg.Debounce = 100 * time.Millisecond
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = 2 * time.Second
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = time.Minute
	}
	if cfg.Actor == "" {
		cfg.Actor = "probity-pipeline"
	}
	if cfg.Partition == (probity.Partition{}) {
		cfg.Partition = probity.DefaultPartition
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	p := &Pipeline{cfg: cfg, log: cfg.Logger, metrics: m, kept: map[string]*sourceMemory{}}
	seen := map[string]bool{}
	for _, s := range cfg.Sources {
		if seen[s.Name()] {
			return nil, probity.Errorf(probity.EINVALID, "pipeline: catalog source %s is given twice", s.Name())
		}
		seen[s.Name()] = true
		r := &runner{p: p, src: s, wake: make(chan struct{}, 1), log: cfg.Logger.With("source", s.Name()),
			stopped: make(chan struct{})}
		p.runners = append(p.runners, r)
		m.up.WithLabelValues(s.Name()).Set(0)
	}
	return p, nil
}

// Start runs the pipeline in the background until ctx ends: every source is reconciled
// once, then watched. Every source operation gets ctx, so ending it stops them; Wait
// waits for that.
func (p *Pipeline) Start(ctx context.Context) {
	for _, r := range p.runners {
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); r.reconcileLoop(ctx) }()
		go func() { defer wg.Done(); r.watchLoop(ctx) }()
		go func() { wg.Wait(); close(r.stopped) }()
	}
}

// Wait returns nil once a started pipeline has stopped, after the context given to
// Start ended. When ctx ends first it stops waiting and returns an error naming each
// source still busy, and what it is busy with: a source that does not heed its context
// (a read that blocks in the kernel) cannot hold up a shutdown past ctx's deadline.
func (p *Pipeline) Wait(ctx context.Context) error {
	var busy []string
	for _, r := range p.runners {
		select {
		case <-r.stopped:
			continue
		case <-ctx.Done():
		}
		busy = append(busy, r.busy())
	}
	if len(busy) > 0 {
		return fmt.Errorf("catalog pipeline did not stop: %s", strings.Join(busy, "; "))
	}
	return nil
}

// SourceStatus is how one source is doing.
type SourceStatus struct {
	Source string `json:"source"`
	Up     bool   `json:"up"`
	// Error says why the source is down.
	Error string `json:"error,omitempty"`
	// LastReconcile is when the source was last reconciled without a failure of the
	// source or the store; zero before the first.
	LastReconcile time.Time `json:"lastReconcile,omitzero"`
	// FailingFiles is how many of its files are not in effect as they now stand.
	FailingFiles int `json:"failingFiles"`
}

// Status returns the state of every source, in the order given.
func (p *Pipeline) Status() []SourceStatus {
	out := make([]SourceStatus, 0, len(p.runners))
	for _, r := range p.runners {
		out = append(out, r.status())
	}
	return out
}

// Health returns nil when every source has been read and is being watched, or an error
// naming each source that is not, with why. Invalid files do not make a source
// unhealthy: they are the authors' to fix, and notified.
func (p *Pipeline) Health() error {
	var down []string
	for _, s := range p.Status() {
		if !s.Up {
			down = append(down, fmt.Sprintf("catalog source %s: %s", s.Source, s.Error))
		}
	}
	if len(down) > 0 {
		return errors.New(strings.Join(down, "; "))
	}
	return nil
}

// runner drives one source.
type runner struct {
	p    *Pipeline
	src  Source
	log  *slog.Logger
	wake chan struct{}
	// seeded is only touched by reconcileLoop.
	seeded bool
	// stopped is closed once both loops have returned.
	stopped chan struct{}
	// reading and watching are set while Snapshot or Watch runs, to say what holds
	// up a shutdown.
	reading, watching atomic.Bool

	mu          sync.Mutex
	pending     bool
	force       bool
	first, last time.Time // of the pending requests
	dones       []func(context.Context, error)
	watchErr    error
	readErr     error
	started     bool // a first snapshot was taken
	lastOK      time.Time
	fingerprint string
	failures    string // text of the failures last notified, to tell only changes
	failing     int
}

// busy describes what the runner is still doing.
func (r *runner) busy() string {
	var what []string
	if r.reading.Load() {
		what = append(what, "reading it")
	}
	if r.watching.Load() {
		what = append(what, "watching it")
	}
	if len(what) == 0 {
		what = append(what, "applying it")
	}
	return "catalog source " + r.src.Name() + ": still " + strings.Join(what, " and ")
}

// request asks for a reconcile; force makes it run even if the snapshot is unchanged.
func (r *runner) request(force bool, done func(context.Context, error)) {
	r.mu.Lock()
	now := time.Now()
	if !r.pending {
		r.pending, r.first = true, now
	}
	r.last = now
	r.force = r.force || force
	if done != nil {
		r.dones = append(r.dones, done)
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// The up gauge is set under the lock, so that the watch and the reconcile cannot leave
// it at the older of two states.
func (r *runner) setWatchErr(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.watchErr = err
	r.p.metrics.setUp(r.src.Name(), r.upLocked())
}

func (r *runner) setReadErr(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.readErr = err
	if err == nil {
		r.started = true
	}
	r.p.metrics.setUp(r.src.Name(), r.upLocked())
}

// upLocked reports whether the source is read and watched; r.mu must be held.
func (r *runner) upLocked() bool {
	return r.started && r.watchErr == nil && r.readErr == nil
}

func (r *runner) status() SourceStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := SourceStatus{Source: r.src.Name(), LastReconcile: r.lastOK, FailingFiles: r.failing}
	s.Up = r.upLocked()
	switch {
	case r.readErr != nil:
		s.Error = r.readErr.Error()
	case r.watchErr != nil:
		s.Error = r.watchErr.Error()
	case !r.started:
		s.Error = "not read yet"
	}
	return s
}

// watchLoop runs the source's Watch, again after a backoff whenever it fails.
func (r *runner) watchLoop(ctx context.Context) {
	b := r.p.backoff()
	for {
		start := time.Now()
		r.watching.Store(true)
		err := r.src.Watch(ctx, &Signal{r: r})
		r.watching.Store(false)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			err = errors.New("watch stopped")
		}
		r.setWatchErr(err)
		r.p.metrics.sourceErrors.WithLabelValues(r.src.Name()).Inc()
		if time.Since(start) > r.p.cfg.RetryMax {
			b.Reset() // it had been working: start the backoff over
		}
		wait := b.Next()
		r.log.Warn("catalog source watch failed; retrying", "in", wait, "err", err)
		if !sleep(ctx, wait) {
			return
		}
		r.request(true, nil) // catch up on what the watch may have missed
	}
}

// reconcileLoop reconciles once at start, then whenever asked, coalescing requests
// that come close together, and retries with backoff after a failure.
func (r *runner) reconcileLoop(ctx context.Context) {
	r.request(true, nil)
	b := r.p.backoff()
	for {
		select {
		case <-ctx.Done():
			r.fail(ctx, ctx.Err())
			return
		case <-r.wake:
		}
		if !r.settle(ctx) {
			r.fail(ctx, ctx.Err())
			return
		}
		force, dones, ok := r.take()
		if !ok {
			continue
		}

		err := r.p.reconcileSource(ctx, r, force)
		for _, d := range dones {
			d(ctx, err)
		}
		if err == nil {
			b.Reset()
			continue
		}
		if ctx.Err() != nil {
			r.fail(ctx, ctx.Err())
			return
		}
		wait := b.Next()
		r.log.Warn("catalog reconcile failed; retrying", "in", wait, "err", err)
		if !sleep(ctx, wait) {
			r.fail(ctx, ctx.Err()) // every waiting done is called, as Signal.Changed promises
			return
		}
		r.request(true, nil)
	}
}

// take returns what the requests made since the last take ask for, or ok false when
// there were none. A wake can outlive the requests that sent it: one made while the loop
// settled leaves a wake behind, and the reconcile that follows takes the request; that
// wake must not start a reconcile of its own (a source's snapshot with nothing named to
// look at again may read the whole source).
func (r *runner) take() (force bool, dones []func(context.Context, error), ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.pending {
		return false, nil, false
	}
	force, dones = r.force, r.dones
	r.pending, r.force, r.dones = false, false, nil
	return force, dones, true
}

// settle waits until the requests have been quiet for Debounce, or MaxDelay has passed
// since the first. It returns false when ctx ends.
func (r *runner) settle(ctx context.Context) bool {
	for {
		r.mu.Lock()
		now := time.Now()
		quiet := r.p.cfg.Debounce - now.Sub(r.last)
		capped := r.p.cfg.MaxDelay - now.Sub(r.first)
		r.mu.Unlock()
		d := min(quiet, capped)
		if d <= 0 {
			return true
		}
		if !sleep(ctx, d) {
			return false
		}
	}
}

// fail answers the requests still waiting, when the pipeline stops.
func (r *runner) fail(ctx context.Context, err error) {
	r.mu.Lock()
	dones := r.dones
	r.dones = nil
	r.mu.Unlock()
	for _, d := range dones {
		d(ctx, err)
	}
}

// reconcileSource takes a snapshot and, unless it is unchanged and force is false,
// reconciles it. It returns an error only when the source or the store failed.
func (p *Pipeline) reconcileSource(ctx context.Context, r *runner, force bool) error {
	name := r.src.Name()
	if s, ok := r.src.(Seeder); ok && !r.seeded {
		kept, err := p.cfg.Store.CatalogFiles(ctx, name)
		if err != nil {
			return fmt.Errorf("read last good files of %s: %w", name, err)
		}
		s.Seed(kept)
		r.seeded = true
	}
	r.reading.Store(true)
	snap, err := r.src.Snapshot(ctx)
	r.reading.Store(false)
	if err != nil {
		if ctx.Err() == nil {
			r.setReadErr(err)
			p.metrics.sourceErrors.WithLabelValues(name).Inc()
			p.metrics.reconciles.WithLabelValues(name, "error").Inc()
		}
		return fmt.Errorf("read catalog source %s: %w", name, err)
	}
	r.setReadErr(nil)
	fp := snap.fingerprint()
	r.mu.Lock()
	unchanged := fp == r.fingerprint
	r.mu.Unlock()
	if unchanged && !force {
		return nil
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	start := time.Now()
	rd, _ := r.src.(Reader)
	res, err := p.reconcile(ctx, name, rd, snap)
	if err != nil {
		p.metrics.reconciles.WithLabelValues(name, "error").Inc()
		return err
	}
	p.metrics.duration.WithLabelValues(name).Observe(time.Since(start).Seconds())
	p.metrics.record(name, res, p.cfg.Now())
	msg := p.message(name, snap, res)
	failures := failureText(res.failures)

	r.mu.Lock()
	r.fingerprint, r.lastOK, r.failing = fp, p.cfg.Now(), len(res.failures)
	tell := len(res.changes) > 0 || failures != r.failures
	r.failures = failures
	r.mu.Unlock()

	p.log.Info("catalog reconciled", "source", name, "revision", snap.Revision, "files", len(snap.Files),
		"created", res.count("create"), "updated", res.count("update"), "deleted", res.count("delete"),
		"failing", len(res.failures), "took", time.Since(start))
	if tell {
		p.tell(ctx, msg)
	}
	if len(res.changes) > 0 {
		// Another source's frameworks may have been waiting for what this one defines.
		for _, o := range p.runners {
			if o != r && o.hasFailures() {
				o.request(true, nil)
			}
		}
	}
	return nil
}

func (r *runner) hasFailures() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failing > 0
}

// tell stores the outcome as a notification and hands it to the sender.
func (p *Pipeline) tell(ctx context.Context, m notify.Message) {
	n := &probity.Notification{ID: notificationID(m.Time), Description: m.Text, EventTime: m.Time, Source: m.Source,
		AccountID: p.cfg.Partition.AccountID}
	err := p.cfg.Store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.AddNotification(ctx, n) })
	if err != nil {
		p.log.Error("store catalog notification", "source", m.Source, "err", err)
	}
	if p.cfg.Sender != nil {
		p.cfg.Sender.Send(m)
	}
}

// notificationID returns the id of a notification sent at t, in the form the Audit
// Manager model gives Notification.id (TimestampUUID): epoch milliseconds, an
// underscore and a random UUID.
func notificationID(t time.Time) string {
	return strconv.FormatInt(t.UnixMilli(), 10) + "_" + probity.NewID()
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool { return backoff.Wait(ctx, d) == nil }

// backoff returns the waits between a source's failing rounds: RetryMin, doubling up to
// RetryMax.
func (p *Pipeline) backoff() *backoff.Backoff {
	b, err := backoff.New(backoff.Policy{Min: p.cfg.RetryMin, Max: max(p.cfg.RetryMin, p.cfg.RetryMax)})
	if err != nil {
		panic(err) // New has made both durations positive
	}
	return b
}
