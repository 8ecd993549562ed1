package backoff

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	errA    = errors.New("a failed")
	errB    = errors.New("b failed")
	errC    = errors.New("c failed")
	refused = errors.New("refused")
)

// retry is one observed OnRetry call.
type retry struct {
	Attempt int
	Err     string
	Wait    time.Duration
}

func TestRetry(t *testing.T) {
	tests := []struct {
		name   string
		p      Policy
		script []error // fn's results in order; past the end it succeeds
		// want
		calls   int
		retries []retry // OnRetry calls; their waits are also what Wait was asked for
		err     string  // "" for success
		is      []error // errors.Is must hold for each
		perm    bool    // IsPermanent(err)
	}{
		{name: "first call succeeds", calls: 1},
		{name: "succeeds on the third call", script: []error{errA, errB}, calls: 3,
			retries: []retry{{1, "a failed", s}, {2, "b failed", 2 * s}}},
		{name: "permanent error stops at once", script: []error{errA, Permanent(refused)}, calls: 2,
			retries: []retry{{1, "a failed", s}}, err: "refused", is: []error{refused}, perm: true},
		{name: "wrapped permanent error stops too", script: []error{fmt.Errorf("send: %w", Permanent(refused))}, calls: 1,
			err: "send: refused", is: []error{refused}, perm: true},
		{name: "attempts exhausted returns the last error", p: Policy{MaxAttempts: 3}, script: []error{errA, errB, errC, errA}, calls: 3,
			retries: []retry{{1, "a failed", s}, {2, "b failed", 2 * s}}, err: "after 3 attempts: c failed", is: []error{errC}},
		{name: "one attempt only", p: Policy{MaxAttempts: 1}, script: []error{errA}, calls: 1,
			err: "after 1 attempt: a failed", is: []error{errA}},
		{name: "success on the last allowed attempt", p: Policy{MaxAttempts: 2}, script: []error{errA}, calls: 2,
			retries: []retry{{1, "a failed", s}}},
		{name: "waits follow the policy, capped", p: Policy{Min: 10 * s, Max: 25 * s}, script: []error{errA, errA, errA, errA}, calls: 5,
			retries: []retry{{1, "a failed", 10 * s}, {2, "a failed", 20 * s}, {3, "a failed", 25 * s}, {4, "a failed", 25 * s}}},
		{name: "Permanent(nil) is success", script: []error{Permanent(nil)}, calls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var retries []retry
			var waits []time.Duration
			p := tt.p
			p.OnRetry = func(attempt int, err error, wait time.Duration) {
				retries = append(retries, retry{attempt, err.Error(), wait})
			}
			p.Wait = func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			}
			calls := 0
			err := Retry(context.Background(), p, func(context.Context) error {
				calls++
				if calls <= len(tt.script) {
					return tt.script[calls-1]
				}
				return nil
			})
			if calls != tt.calls {
				t.Errorf("%d calls, want %d", calls, tt.calls)
			}
			if diff := cmp.Diff(tt.retries, retries); diff != "" {
				t.Errorf("OnRetry calls (-want +got):\n%s", diff)
			}
			var wantWaits []time.Duration
			for _, r := range tt.retries {
				wantWaits = append(wantWaits, r.Wait)
			}
			if diff := cmp.Diff(wantWaits, waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if got := fmt.Sprint(err); (tt.err == "" && err != nil) || (tt.err != "" && got != tt.err) {
				t.Errorf("err = %v, want %q", err, tt.err)
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false", err, target)
				}
			}
			if got := IsPermanent(err); got != tt.perm {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.perm)
			}
		})
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	t.Run("ended before the first call", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		calls := 0
		err := Retry(ctx, Policy{}, func(context.Context) error { calls++; return nil })
		if calls != 0 || err != context.Canceled {
			t.Errorf("calls %d, err %v; want no call and context.Canceled", calls, err)
		}
	})
	t.Run("ended during a call", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		calls, retries := 0, 0
		err := Retry(ctx, Policy{OnRetry: func(int, error, time.Duration) { retries++ }}, func(context.Context) error {
			calls++
			cancel()
			return errA
		})
		if calls != 1 || retries != 0 {
			t.Errorf("calls %d, OnRetry calls %d; want 1 and 0", calls, retries)
		}
		if !errors.Is(err, context.Canceled) || !errors.Is(err, errA) ||
			err.Error() != "stopped after 1 attempt: context canceled; last error: a failed" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("ended during a wait", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		p := Policy{Wait: func(ctx context.Context, d time.Duration) error {
			if calls == 2 {
				cancel()
				return ctx.Err()
			}
			return nil
		}}
		err := Retry(ctx, p, func(context.Context) error { calls++; return errB })
		if calls != 2 {
			t.Errorf("%d calls, want 2", calls)
		}
		if !errors.Is(err, context.Canceled) || !errors.Is(err, errB) ||
			err.Error() != "stopped after 2 attempts: context canceled; last error: b failed" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a Wait that ignores the context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		p := Policy{Wait: func(context.Context, time.Duration) error { cancel(); return nil }}
		err := Retry(ctx, p, func(context.Context) error { calls++; return errA })
		if calls != 1 || !errors.Is(err, context.Canceled) || !errors.Is(err, errA) {
			t.Errorf("calls %d, err %v; want 1 call and an error wrapping both", calls, err)
		}
	})
}

// TestRetryRealTimer runs Retry with its default Wait in a synctest bubble: the fake
// clock advances exactly by the waits, so the elapsed time is the sum of the backoff.
func TestRetryRealTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var at []time.Duration
		err := Retry(t.Context(), Policy{}, func(context.Context) error {
			at = append(at, time.Since(start))
			if len(at) < 4 {
				return errA
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]time.Duration{0, s, 3 * s, 7 * s}, at); diff != "" {
			t.Errorf("calls at (-want +got):\n%s", diff)
		}
	})

	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 2500*time.Millisecond)
		defer cancel()
		start := time.Now()
		calls := 0
		err := Retry(ctx, Policy{}, func(context.Context) error { calls++; return errA })
		if got := time.Since(start); got != 2500*time.Millisecond {
			t.Errorf("Retry returned after %v, want at the deadline (2.5s)", got)
		}
		if calls != 2 || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errA) {
			t.Errorf("calls %d, err %v; want 2 calls and an error wrapping the deadline and the last error", calls, err)
		}
	})
}

func TestIsPermanent(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errA, false},
		{Permanent(errA), true},
		{fmt.Errorf("deliver: %w", Permanent(errA)), true},
		{errors.Join(errB, Permanent(errA)), true},
		{Permanent(nil), false},
	}
	for _, tt := range tests {
		if got := IsPermanent(tt.err); got != tt.want {
			t.Errorf("IsPermanent(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	if got := Permanent(errA); !errors.Is(got, errA) || got.Error() != errA.Error() {
		t.Errorf("Permanent(errA) = %v: want the same message, wrapping errA", got)
	}
}
