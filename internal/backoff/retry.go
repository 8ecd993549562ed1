package backoff

import (
	"context"
	"errors"
	"fmt"
)

// Retry calls fn until it succeeds, waiting the policy's backoff between calls. It
// returns nil after a success; a Permanent error at once, as fn returned it (so
// IsPermanent still reports it); the last error wrapped with the number of attempts
// when MaxAttempts calls have failed; and, when ctx ends, an error that wraps both
// ctx.Err() and fn's last error (or ctx.Err() alone when fn was never called).
// An invalid policy returns Validate's error without calling fn.
func Retry(ctx context.Context, p Policy, fn func(context.Context) error) error {
	b, err := New(p)
	if err != nil {
		return err
	}
	p = b.p
	var last error
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			if last == nil {
				return err
			}
			// Only reached when a custom Wait returned nil after ctx ended.
			return stopped(err, attempt-1, last)
		}
		err := fn(ctx)
		last = err
		switch {
		case err == nil:
			return nil
		case IsPermanent(err):
			return err
		case ctx.Err() != nil:
			return stopped(ctx.Err(), attempt, err)
		case p.MaxAttempts > 0 && attempt >= p.MaxAttempts:
			return fmt.Errorf("after %s: %w", attempts(attempt), err)
		}
		d := b.Next()
		if p.OnRetry != nil {
			p.OnRetry(attempt, err, d)
		}
		if werr := p.Wait(ctx, d); werr != nil {
			return stopped(werr, attempt, err)
		}
	}
}

// stopped is Retry's error when its context ends after n failed calls.
func stopped(ctxErr error, n int, last error) error {
	return fmt.Errorf("stopped after %s: %w; last error: %w", attempts(n), ctxErr, last)
}

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// permanentError marks a failure that trying again cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that trying again will not fix (a refused request, a
// malformed target), so that Retry returns it at once. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
