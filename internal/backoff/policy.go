// Package backoff is Probity's one retry helper: a Policy of growing waits, Retry for
// calls that are simply tried again, and a stateful Backoff for loops that are not
// simple retries (a runner that backs off between failing rounds and starts over after
// a success).
package backoff

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/probity-dev/probity"
)

// Defaults for the zero values of a Policy.
const (
	DefaultMin    = time.Second
	DefaultMax    = time.Minute
	DefaultFactor = 2.0
)

// Policy says how long to wait between attempts: Min first, multiplied by Factor after
// each wait, never more than Max. The zero Policy waits 1 s, 2 s, 4 s, ... 1 min, 1 min,
// ... and retries for as long as its context lasts.
type Policy struct {
	// Min is the first wait (default 1 s).
	Min time.Duration
	// Max caps every wait (default 1 min, or Min when Min is longer).
	Max time.Duration
	// Factor multiplies the wait after each one (default 2; at least 1).
	Factor float64
	// Jitter, from 0 to 1, shortens each wait by a random part of up to that fraction,
	// so that many callers failing together do not retry in step. The growth itself
	// is not affected: with Jitter 0.5 the third wait lies in [2 s, 4 s].
	Jitter float64
	// MaxAttempts bounds the calls Retry makes, the first one included; 0 means no
	// bound (the context ends the retries). Backoff ignores it.
	MaxAttempts int

	// OnRetry, when set, is called by Retry after a failed attempt and before the wait
	// that follows it, with the attempt's number (from 1), its error and the wait, so
	// that callers keep their logs and metrics. It is not called after the last
	// attempt, nor when the error is permanent or the context has ended.
	OnRetry func(attempt int, err error, wait time.Duration)
	// Wait waits d or until ctx ends, returning ctx.Err() in that case; nil means the
	// package's Wait. Tests may replace it to record the waits without waiting.
	Wait func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0, 1) for the jitter; nil means math/rand/v2.Float64.
	Rand func() float64
}

// Validate returns an EINVALID error naming the first member that is out of range:
// a negative duration or MaxAttempts, a Max shorter than Min, a Factor below 1, a
// Jitter outside [0, 1].
func (p Policy) Validate() error {
	switch {
	case p.Min < 0:
		return probity.Errorf(probity.EINVALID, "backoff: Min %v is negative", p.Min)
	case p.Max < 0:
		return probity.Errorf(probity.EINVALID, "backoff: Max %v is negative", p.Max)
	case p.Max > 0 && p.Max < p.Min:
		return probity.Errorf(probity.EINVALID, "backoff: Max %v is shorter than Min %v", p.Max, p.Min)
	case p.Factor != 0 && !(p.Factor >= 1): // !(>=) also refuses NaN
		return probity.Errorf(probity.EINVALID, "backoff: Factor %v is below 1", p.Factor)
	case !(p.Jitter >= 0 && p.Jitter <= 1):
		return probity.Errorf(probity.EINVALID, "backoff: Jitter %v is outside [0, 1]", p.Jitter)
	case p.MaxAttempts < 0:
		return probity.Errorf(probity.EINVALID, "backoff: MaxAttempts %d is negative", p.MaxAttempts)
	}
	return nil
}

// withDefaults returns p with its zero values replaced by the defaults.
func (p Policy) withDefaults() Policy {
	if p.Min == 0 {
		p.Min = DefaultMin
	}
	if p.Max == 0 {
		p.Max = max(DefaultMax, p.Min)
	}
	if p.Factor == 0 {
		p.Factor = DefaultFactor
	}
	if p.Wait == nil {
		p.Wait = Wait
	}
	if p.Rand == nil {
		p.Rand = rand.Float64
	}
	return p
}

// Backoff hands out a policy's waits one after the other. It is not safe for
// concurrent use; each loop has its own.
type Backoff struct {
	p    Policy
	next time.Duration // the wait before jitter that Next returns next
}

// New returns a Backoff whose first wait is p.Min. It returns Validate's error for an
// invalid policy.
func New(p Policy) (*Backoff, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p = p.withDefaults()
	return &Backoff{p: p, next: p.Min}, nil
}

// Next returns the wait before the next attempt and makes the one after it longer,
// up to Max.
func (b *Backoff) Next() time.Duration {
	d := b.next
	// Grow in floating point and compare before converting back, so that a long Max
	// or a large Factor cannot overflow.
	if grown := float64(d) * b.p.Factor; grown < float64(b.p.Max) {
		b.next = time.Duration(grown)
	} else {
		b.next = b.p.Max
	}
	if b.p.Jitter > 0 {
		d -= time.Duration(b.p.Jitter * b.p.Rand() * float64(d))
	}
	return d
}

// Reset makes the next wait Min again, after a success.
func (b *Backoff) Reset() { b.next = b.p.Min }

// Wait waits d or until ctx ends. It returns nil when d has passed and ctx.Err()
// otherwise, without waiting when ctx has already ended.
func Wait(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
