package jobs

import (
	"context"
	"log/slog"
	"strings"
)

// busyElector passes River's log records on, except that a leadership reelection that
// timed out is a WARN, not the ERROR River logs it as. A reelection times out when
// another transaction holds the database past the elector's 5 seconds, as a large
// catalog applied in one SQLite transaction does. It is not a failure: River tries
// again, and steps down (with a WARN of its own) when its lease runs out first. Other
// reelection errors (the database unreachable) stay ERRORs.
type busyElector struct{ slog.Handler }

// electorRetry begins the message of River's failed reelection attempts.
const electorRetry = "leadership.Elector: Error attempting reelection"

// Handle implements slog.Handler.
func (h busyElector) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelError && strings.HasPrefix(r.Message, electorRetry) && timedOut(r) {
		r.Level = slog.LevelWarn
		if !h.Handler.Enabled(ctx, r.Level) {
			return nil
		}
	}
	return h.Handler.Handle(ctx, r)
}

// timedOut reports whether the record's err says the attempt timed out.
func timedOut(r slog.Record) bool {
	out := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			s := a.Value.String()
			out = strings.Contains(s, "timed out") || strings.Contains(s, "context deadline exceeded")
			return false
		}
		return true
	})
	return out
}

// WithAttrs implements slog.Handler.
func (h busyElector) WithAttrs(as []slog.Attr) slog.Handler {
	return busyElector{h.Handler.WithAttrs(as)}
}

// WithGroup implements slog.Handler.
func (h busyElector) WithGroup(name string) slog.Handler {
	return busyElector{h.Handler.WithGroup(name)}
}
