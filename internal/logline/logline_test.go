package logline

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// pieces are what the random strings are made of: everything slog quotes or escapes,
// and plain text.
var pieces = []string{"a", "GetControl", " ", "=", `"`, `\`, "\n", "\r", "\t", "\x00", "\x1f", "\x7f",
	"é", "\u00a0", "\u2028", "\u2029", "\u200b", "\ufffd", "\xff", "\xc3", "<", ">", "&", "{}", "日本", "🙂", "a b"}

func randomString(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(6) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

func randomRecord(r *rand.Rand) slog.Record {
	times := []time.Time{
		{},
		time.Date(2026, 12, 1, 14, 5, 6, 0, time.UTC),
		time.Date(2026, 12, 1, 14, 5, 6, 123456789, time.UTC),
		time.Date(2026, 12, 1, 14, 5, 6, 999999999, time.FixedZone("X", -(3*3600+1800))),
		time.Date(1999, 1, 2, 3, 4, 5, 100000, time.Local),
		time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	levels := []slog.Level{slog.LevelInfo, slog.LevelWarn, slog.LevelError, slog.LevelInfo + 2}
	rec := slog.NewRecord(times[r.IntN(len(times))], levels[r.IntN(len(levels))], randomString(r), 0)
	for range r.IntN(9) {
		key := randomString(r)
		switch r.IntN(6) {
		case 0:
			rec.AddAttrs(slog.String(key, randomString(r)))
		case 1:
			rec.AddAttrs(slog.Int64(key, r.Int64()-r.Int64()))
		case 2:
			rec.AddAttrs(slog.Uint64(key, r.Uint64()))
		case 3:
			rec.AddAttrs(slog.Bool(key, r.IntN(2) == 0))
		case 4:
			rec.AddAttrs(slog.Duration(key, time.Duration(r.Int64N(int64(100*time.Hour)))>>r.IntN(40)))
		default: // formatted by slog itself
			rec.AddAttrs(slog.Group(key, slog.Float64("f", r.Float64())))
		}
	}
	return rec
}

// TestSameBytesAsSlog: for random records of every kind of attribute and every
// character slog treats specially, both formats write exactly what slog's handlers
// write, one line per record.
func TestSameBytesAsSlog(t *testing.T) {
	formats := []struct {
		name string
		ours func(io.Writer) *Handler
		std  func(io.Writer) slog.Handler
	}{
		{"text", NewText, func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }},
		{"json", NewJSON, func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			for range 20000 {
				rec := randomRecord(r)
				var got, want countingBuffer
				if err := f.ours(&got).Handle(context.Background(), rec.Clone()); err != nil {
					t.Fatal(err)
				}
				if err := f.std(&want).Handle(context.Background(), rec.Clone()); err != nil {
					t.Fatal(err)
				}
				if got.String() != want.String() {
					t.Fatalf("record %v\n got %q\nwant %q", rec, got.String(), want.String())
				}
				if got.writes != 1 {
					t.Fatalf("%d writes for one line", got.writes)
				}
			}
		})
	}
}

type countingBuffer struct {
	bytes.Buffer
	writes int
}

func (c *countingBuffer) Write(b []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(b)
}

// BenchmarkAccessLine formats an access log line as amapi writes it.
func BenchmarkAccessLine(b *testing.B) {
	rec := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
	rec.AddAttrs(slog.String("op", "GetControl"), slog.Int("status", 200), slog.Duration("duration", 1234567),
		slog.String("request_id", "0a1b2c3d-4e5f-6789-abcd-ef0123456789"), slog.String("remote", "127.0.0.1:51234"),
		slog.String("key", "root"), slog.String("account", "000000000000"))
	for _, h := range []struct {
		name string
		h    slog.Handler
	}{
		{"logline", NewText(io.Discard)},
		{"slog", slog.NewTextHandler(io.Discard, nil)},
	} {
		b.Run(h.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.h.Handle(context.Background(), rec)
			}
		})
	}
}
