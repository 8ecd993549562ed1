package notify_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/probity-dev/probity/internal/notify"
)

// TestQueue puts more items than the queue holds, then delivers: the ones that fit arrive
// in order, the rest are refused; ending the context cuts the delivery under way short
// and stops the queue.
func TestQueue(t *testing.T) {
	var got []int
	delivered := make(chan struct{}, 10)
	blocked := make(chan error, 1)
	q := notify.NewQueue(3, func(ctx context.Context, n int) {
		if n < 0 {
			<-ctx.Done()
			blocked <- ctx.Err()
			return
		}
		got = append(got, n)
		delivered <- struct{}{}
	})
	for i := range 5 {
		if ok, want := q.Put(i), i < 3; ok != want {
			t.Errorf("Put(%d) = %v, want %v", i, ok, want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	q.Start(ctx)
	for range 3 {
		<-delivered
	}
	if want := []int{0, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("delivered %v, want %v", got, want)
	}
	if !q.Put(-1) {
		t.Fatal("Put to an emptied queue refused")
	}
	cancel()
	if err := <-blocked; err != context.Canceled {
		t.Errorf("delivery under way got %v, want context.Canceled", err)
	}
	<-q.Stopped()
}

func TestDispatchOptionsWithDefaults(t *testing.T) {
	for _, tt := range []struct {
		name      string
		in        notify.DispatchOptions
		attempts  int
		min, max  time.Duration
		queueSize int
	}{
		{"zero", notify.DispatchOptions{}, 6, time.Second, time.Minute, 256},
		{"negative", notify.DispatchOptions{Attempts: -1, Backoff: -1, MaxBackoff: -1, QueueSize: -1}, 6, time.Second, time.Minute, 256},
		{"set", notify.DispatchOptions{Attempts: 2, Backoff: time.Millisecond, MaxBackoff: time.Second, QueueSize: 4}, 2, time.Millisecond, time.Second, 4},
		{"max below min", notify.DispatchOptions{Backoff: 2 * time.Minute}, 6, 2 * time.Minute, 2 * time.Minute, 256},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.in.WithDefaults()
			if o.Logger == nil || o.Attempts != tt.attempts || o.Backoff != tt.min || o.MaxBackoff != tt.max || o.QueueSize != tt.queueSize {
				t.Errorf("got logger %v, %d attempts, %v to %v, queue %d; want %d, %v to %v, queue %d",
					o.Logger != nil, o.Attempts, o.Backoff, o.MaxBackoff, o.QueueSize, tt.attempts, tt.min, tt.max, tt.queueSize)
			}
			p := o.RetryPolicy(nil)
			if p.MaxAttempts != tt.attempts || p.Min != tt.min || p.Max != tt.max {
				t.Errorf("RetryPolicy = %+v, want %d attempts, %v to %v", p, tt.attempts, tt.min, tt.max)
			}
		})
	}
}
