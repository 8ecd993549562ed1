package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/probity-dev/probity/internal/backoff"
)

// Queue delivers items in the background, one at a time and in the order they were put,
// with a function that handles each: retries, logs and metrics are its business. It is
// the loop of a Dispatcher's workers and of the SNS Publisher.
//
// Lifecycle: NewQueue, then Put from any goroutine (before or after Start); Start once;
// when the context given to Start ends, the delivery under way gets that context (so it
// is cut short), the items still queued are dropped, and Stopped is closed.
type Queue[T any] struct {
	items   chan T
	deliver func(ctx context.Context, item T)
	stopped chan struct{}
}

// NewQueue returns a queue that holds up to size items (at least 1) for deliver.
func NewQueue[T any](size int, deliver func(ctx context.Context, item T)) *Queue[T] {
	return &Queue[T]{items: make(chan T, max(size, 1)), deliver: deliver, stopped: make(chan struct{})}
}

// Put queues item and reports whether it was queued. It never blocks: a full queue
// refuses the item, and the caller logs or counts the drop.
func (q *Queue[T]) Put(item T) bool {
	select {
	case q.items <- item:
		return true
	default:
		return false
	}
}

// Start delivers queued items in a new goroutine until ctx is done.
func (q *Queue[T]) Start(ctx context.Context) {
	go func() {
		defer close(q.stopped)
		for {
			select {
			case <-ctx.Done():
				return
			case item := <-q.items:
				q.deliver(ctx, item)
			}
		}
	}()
}

// Stopped returns a channel that is closed once a started queue has stopped.
func (q *Queue[T]) Stopped() <-chan struct{} { return q.stopped }

// WithDefaults returns o with its zero values replaced by the defaults that its members
// document (a discarding Logger, 6 attempts, 1 s to 1 min, 256 messages), and MaxBackoff
// raised to Backoff when it is shorter.
func (o DispatchOptions) WithDefaults() DispatchOptions {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Attempts <= 0 {
		o.Attempts = 6
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Minute
	}
	o.MaxBackoff = max(o.MaxBackoff, o.Backoff)
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	return o
}

// RetryPolicy returns the policy that retries one delivery: o's Attempts, Backoff and
// MaxBackoff, with onRetry called before each wait so the caller logs and counts it.
func (o DispatchOptions) RetryPolicy(onRetry func(attempt int, err error, wait time.Duration)) backoff.Policy {
	return backoff.Policy{Min: o.Backoff, Max: o.MaxBackoff, MaxAttempts: o.Attempts, OnRetry: onRetry}
}
