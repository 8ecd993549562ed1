package jobs

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// TestBusyElectorIsAWarning logs River's reelection errors through busyElector: one that
// timed out (the database busy with another transaction) comes out a WARN, or not at all
// below the handler's level; any other error, and any other record, keeps its level.
func TestBusyElectorIsAWarning(t *testing.T) {
	tests := []struct {
		name, msg, err string
		min            slog.Level
		want           string // the level logged, "" for nothing
	}{
		{"timed out", electorRetry, "leadership.attemptReelect timed out after 5s: context deadline exceeded", slog.LevelInfo, "WARN"},
		{"deadline only", electorRetry, "context deadline exceeded", slog.LevelInfo, "WARN"},
		{"timed out below the level", electorRetry, "leadership.attemptReelect timed out after 5s", slog.LevelError, ""},
		{"another error", electorRetry, "dial unix /run/pg: connect: connection refused", slog.LevelInfo, "ERROR"},
		{"another message", "producer: Error fetching jobs", "context deadline exceeded", slog.LevelInfo, "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(busyElector{slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tt.min})}).With("component", "jobs")
			log.ErrorContext(context.Background(), tt.msg, slog.Int("attempt", 1), slog.String("err", tt.err))
			got := buf.String()
			if tt.want == "" {
				if got != "" {
					t.Fatalf("logged %q, want nothing", got)
				}
				return
			}
			if !strings.Contains(got, "level="+tt.want+" ") || !strings.Contains(got, "component=jobs") {
				t.Fatalf("logged %q, want level %s with the logger's attributes", got, tt.want)
			}
		})
	}
}
