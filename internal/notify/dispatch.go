package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/probity-dev/probity/internal/backoff"
)

// DispatchOptions tune a Dispatcher. Zero values take the defaults.
type DispatchOptions struct {
	Logger *slog.Logger // nil discards
	// Registerer receives the delivery metrics; nil registers nowhere.
	Registerer prometheus.Registerer
	// Attempts is how often a message is tried per target (default 6).
	Attempts int
	// Backoff is the wait before the second attempt, doubled each time up to MaxBackoff
	// (defaults 1 s and 1 min).
	Backoff, MaxBackoff time.Duration
	// QueueSize bounds the messages waiting per target (default 256); past it new
	// messages to that target are dropped and counted.
	QueueSize int
}

// Dispatcher delivers messages to every target in the background: one worker per
// target, in order, each message retried with backoff. Failures are logged and counted
// in probity_notify_deliveries_total; they never reach the sender.
type Dispatcher struct {
	workers []*worker
}

type worker struct {
	target  Target
	queue   *Queue[Message]
	opt     DispatchOptions
	results *prometheus.CounterVec
}

// NewDispatcher returns a dispatcher for the targets. It returns an error when the
// metrics cannot be registered.
func NewDispatcher(targets []Target, opt DispatchOptions) (*Dispatcher, error) {
	opt = opt.WithDefaults()
	results := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "probity_notify_deliveries_total",
		Help: "Notification delivery attempts by target and result (ok, retry, failed, dropped).",
	}, []string{"target", "result"})
	if opt.Registerer != nil {
		if err := opt.Registerer.Register(results); err != nil {
			return nil, err
		}
	}
	d := &Dispatcher{}
	for _, t := range targets {
		w := &worker{target: t, opt: opt, results: results}
		w.queue = NewQueue(opt.QueueSize, w.deliver)
		d.workers = append(d.workers, w)
	}
	return d, nil
}

// Start runs the workers until ctx is done; Wait waits for them to stop. Messages still
// queued then are dropped (they are kept in the notification store regardless), and a
// delivery under way gets ctx, so it is cut short.
func (d *Dispatcher) Start(ctx context.Context) {
	for _, w := range d.workers {
		w.queue.Start(ctx)
	}
}

// Wait returns nil once every worker of a started dispatcher has stopped, after the
// context given to Start ended. When ctx ends first it stops waiting and returns an
// error naming the targets whose delivery is still under way.
func (d *Dispatcher) Wait(ctx context.Context) error {
	var busy []string
	for _, w := range d.workers {
		select {
		case <-w.queue.Stopped():
		case <-ctx.Done():
			busy = append(busy, w.target.Name)
		}
	}
	if len(busy) > 0 {
		return fmt.Errorf("notification delivery did not stop: %s", strings.Join(busy, ", "))
	}
	return nil
}

// Send queues m for every target. It never blocks.
func (d *Dispatcher) Send(m Message) {
	for _, w := range d.workers {
		if !w.queue.Put(m) {
			w.results.WithLabelValues(w.target.Name, "dropped").Inc()
			w.opt.Logger.Warn("notification dropped: queue full", "target", w.target.Name, "source", m.Source)
		}
	}
}

func (w *worker) deliver(ctx context.Context, m Message) {
	attempts := 0
	err := backoff.Retry(ctx, w.opt.RetryPolicy(func(attempt int, err error, wait time.Duration) {
		w.results.WithLabelValues(w.target.Name, "retry").Inc()
		w.opt.Logger.Warn("notification delivery failed; retrying", "target", w.target.Name, "attempt", attempt,
			"in", wait, "err", err)
	}), func(ctx context.Context) error {
		attempts++
		return w.target.Notifier.Notify(ctx, m)
	})
	if err == nil {
		w.results.WithLabelValues(w.target.Name, "ok").Inc()
		return
	}
	w.results.WithLabelValues(w.target.Name, "failed").Inc()
	w.opt.Logger.Error("notification not delivered", "target", w.target.Name, "source", m.Source,
		"attempts", attempts, "err", err)
}
