package backoff

import (
	"context"
	"errors"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
)

const s = time.Second

func TestNext(t *testing.T) {
	tests := []struct {
		name string
		p    Policy
		want []time.Duration
	}{
		{"zero policy doubles from 1s to 1min", Policy{},
			[]time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 60 * s, 60 * s}},
		{"short bounds", Policy{Min: 100 * time.Millisecond, Max: s},
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, s, s}},
		{"factor 3", Policy{Min: s, Max: 10 * s, Factor: 3},
			[]time.Duration{1 * s, 3 * s, 9 * s, 10 * s, 10 * s}},
		{"factor 1 is constant", Policy{Min: 5 * s, Factor: 1},
			[]time.Duration{5 * s, 5 * s, 5 * s}},
		{"fractional factor", Policy{Min: 4 * s, Max: 10 * s, Factor: 1.5},
			[]time.Duration{4 * s, 6 * s, 9 * s, 10 * s}},
		{"Min longer than the default Max", Policy{Min: 2 * time.Minute},
			[]time.Duration{2 * time.Minute, 2 * time.Minute}},
		{"Min equal to Max", Policy{Min: 3 * s, Max: 3 * s},
			[]time.Duration{3 * s, 3 * s}},
		{"MaxAttempts does not limit Next", Policy{Min: s, Max: 2 * s, MaxAttempts: 1},
			[]time.Duration{s, 2 * s, 2 * s, 2 * s}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := New(tt.p)
			if err != nil {
				t.Fatal(err)
			}
			var got []time.Duration
			for range tt.want {
				got = append(got, b.Next())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNextDoesNotOverflow(t *testing.T) {
	b, err := New(Policy{Min: time.Hour, Max: math.MaxInt64, Factor: 1000})
	if err != nil {
		t.Fatal(err)
	}
	prev := time.Duration(0)
	for i := range 100 {
		d := b.Next()
		if d < prev {
			t.Fatalf("wait %d = %v, shorter than the one before (%v)", i, d, prev)
		}
		prev = d
	}
	if prev < time.Duration(math.MaxInt64/2) {
		t.Errorf("after 100 waits the wait is %v, want it near Max", prev)
	}
}

func TestReset(t *testing.T) {
	b, err := New(Policy{Min: s, Max: 10 * s})
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Duration
	for range 3 {
		got = append(got, b.Next())
	}
	b.Reset()
	for range 2 {
		got = append(got, b.Next())
	}
	if diff := cmp.Diff([]time.Duration{s, 2 * s, 4 * s, s, 2 * s}, got); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestJitter(t *testing.T) {
	tests := []struct {
		name   string
		jitter float64
		rand   float64
		want   []time.Duration
	}{
		{"no jitter ignores rand", 0, 0.9, []time.Duration{4 * s, 8 * s, 16 * s}},
		{"rand 0 keeps the wait", 0.5, 0, []time.Duration{4 * s, 8 * s, 16 * s}},
		{"half of half", 0.5, 0.5, []time.Duration{3 * s, 6 * s, 12 * s}},
		{"full jitter", 1, 0.75, []time.Duration{s, 2 * s, 4 * s}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := New(Policy{Min: 4 * s, Jitter: tt.jitter, Rand: func() float64 { return tt.rand }})
			if err != nil {
				t.Fatal(err)
			}
			var got []time.Duration
			for range tt.want {
				got = append(got, b.Next())
			}
			// The growth follows the policy, not the shortened waits.
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}

	// With the real random source every wait lies in [d*(1-Jitter), d].
	b, err := New(Policy{Min: s, Max: 8 * s, Jitter: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	d := s
	for i := range 1000 {
		got := b.Next()
		if got > d || got < d-d/4 {
			t.Fatalf("wait %d = %v, want within [%v, %v]", i, got, d-d/4, d)
		}
		d = min(2*d, 8*s)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		p    Policy
		want string // "" for valid
	}{
		{Policy{}, ""},
		{Policy{Min: s, Max: s, Factor: 1, Jitter: 1, MaxAttempts: 1}, ""},
		{Policy{Min: 2 * time.Minute}, ""}, // Max defaults to Min
		{Policy{Min: -1}, "backoff: Min -1ns is negative"},
		{Policy{Max: -s}, "backoff: Max -1s is negative"},
		{Policy{Min: 2 * s, Max: s}, "backoff: Max 1s is shorter than Min 2s"},
		{Policy{Factor: 0.5}, "backoff: Factor 0.5 is below 1"},
		{Policy{Factor: -2}, "backoff: Factor -2 is below 1"},
		{Policy{Factor: math.NaN()}, "backoff: Factor NaN is below 1"},
		{Policy{Jitter: -0.1}, "backoff: Jitter -0.1 is outside [0, 1]"},
		{Policy{Jitter: 1.5}, "backoff: Jitter 1.5 is outside [0, 1]"},
		{Policy{Jitter: math.NaN()}, "backoff: Jitter NaN is outside [0, 1]"},
		{Policy{MaxAttempts: -1}, "backoff: MaxAttempts -1 is negative"},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%+v: %v, want valid", tt.p, err)
			}
			continue
		}
		if err == nil || err.Error() != tt.want || probity.ErrorCode(err) != probity.EINVALID {
			t.Errorf("%+v: got %v (code %q), want %q (invalid)", tt.p, err, probity.ErrorCode(err), tt.want)
		}
		// New and Retry refuse the policy the same way, before calling anything.
		if _, nerr := New(tt.p); nerr == nil || nerr.Error() != tt.want {
			t.Errorf("New(%+v) = %v, want %q", tt.p, nerr, tt.want)
		}
		called := false
		rerr := Retry(context.Background(), tt.p, func(context.Context) error { called = true; return nil })
		if called || rerr == nil || rerr.Error() != tt.want {
			t.Errorf("Retry(%+v) = %v, called %v; want %q without a call", tt.p, rerr, called, tt.want)
		}
	}
}

// TestWait runs the real timer in a synctest bubble, whose clock moves only when every
// goroutine in it is blocked: the elapsed times are exact, and nothing really sleeps.
func TestWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := Wait(t.Context(), 5*s); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start); got != 5*s {
			t.Errorf("Wait(5s) returned after %v", got)
		}

		ctx, cancel := context.WithCancel(t.Context())
		start = time.Now()
		time.AfterFunc(2*s, cancel)
		if err := Wait(ctx, time.Hour); !errors.Is(err, context.Canceled) {
			t.Errorf("Wait cancelled = %v, want context.Canceled", err)
		}
		if got := time.Since(start); got != 2*s {
			t.Errorf("cancelled Wait returned after %v, want 2s", got)
		}

		start = time.Now()
		if err := Wait(ctx, 0); !errors.Is(err, context.Canceled) || time.Since(start) != 0 {
			t.Errorf("Wait on an ended context = %v after %v, want context.Canceled at once", err, time.Since(start))
		}
	})
}
