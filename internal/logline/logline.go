// Package logline writes log records as lines, as slog's text and JSON handlers do,
// at less cost for the records a server writes most: its access log.
package logline

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Handler is a slog.Handler that writes what slog.NewTextHandler or slog.NewJSONHandler
// (with default options) would write, byte for byte, one Write per line. A record whose
// attributes are all strings, integers, booleans and durations under non-empty keys
// (an access log line) is formatted here into a reused buffer, without reflection or
// fmt; any other record, and the handlers WithAttrs and WithGroup return, go to the
// standard handler on the same writer. Like slog's handlers it logs Info and above and
// is safe for concurrent use; lines never interleave.
type Handler struct {
	json bool
	w    *lockedWriter
	std  slog.Handler
}

var _ slog.Handler = (*Handler)(nil)

// NewText returns a Handler that writes slog's text format to w.
func NewText(w io.Writer) *Handler {
	lw := &lockedWriter{w: w}
	return &Handler{w: lw, std: slog.NewTextHandler(lw, nil)}
}

// NewJSON returns a Handler that writes slog's JSON format to w.
func NewJSON(w io.Writer) *Handler {
	lw := &lockedWriter{w: w}
	return &Handler{json: true, w: lw, std: slog.NewJSONHandler(lw, nil)}
}

// lockedWriter serialises the writes of the handlers that share it.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// Enabled implements slog.Handler: Info and above.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.std.Enabled(ctx, l) }

// WithAttrs implements slog.Handler with the standard handler.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler { return h.std.WithAttrs(as) }

// WithGroup implements slog.Handler with the standard handler.
func (h *Handler) WithGroup(name string) slog.Handler { return h.std.WithGroup(name) }

var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Handle implements slog.Handler. It returns the writer's error.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if !h.flat(r) {
		return h.std.Handle(ctx, r)
	}
	bp := buffers.Get().(*[]byte)
	b := (*bp)[:0]
	if h.json {
		b = h.appendJSON(b, r)
	} else {
		b = h.appendText(b, r)
	}
	_, err := h.w.Write(b)
	if cap(b) <= 16<<10 { // a rare huge line is not kept
		*bp = b
		buffers.Put(bp)
	}
	return err
}

// flat reports whether this package formats r itself.
func (h *Handler) flat(r slog.Record) bool {
	if y := r.Time.Year(); h.json && !r.Time.IsZero() && (y < 0 || y >= 10000) {
		return false // slog reports the error
	}
	ok := true
	r.Attrs(func(a slog.Attr) bool {
		switch a.Value.Kind() {
		case slog.KindString, slog.KindInt64, slog.KindUint64, slog.KindBool, slog.KindDuration:
			ok = a.Key != ""
		default:
			ok = false
		}
		return ok
	})
	return ok
}

func (h *Handler) appendText(b []byte, r slog.Record) []byte {
	if !r.Time.IsZero() {
		b = append(b, "time="...)
		b = appendRFC3339Millis(b, r.Time)
		b = append(b, ' ')
	}
	b = append(b, "level="...)
	b = appendText(b, r.Level.String())
	b = append(b, " msg="...)
	b = appendText(b, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b = append(b, ' ')
		b = appendText(b, a.Key)
		b = append(b, '=')
		switch v := a.Value; v.Kind() {
		case slog.KindString:
			b = appendText(b, v.String())
		case slog.KindDuration:
			b = append(b, v.Duration().String()...)
		default:
			b = appendScalar(b, v)
		}
		return true
	})
	return append(b, '\n')
}

func (h *Handler) appendJSON(b []byte, r slog.Record) []byte {
	b = append(b, '{')
	if !r.Time.IsZero() {
		b = append(b, `"time":"`...)
		b = r.Time.AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	b = append(b, `"level":`...)
	b = appendJSONString(b, r.Level.String())
	b = append(b, `,"msg":`...)
	b = appendJSONString(b, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b = append(b, ',')
		b = appendJSONString(b, a.Key)
		b = append(b, ':')
		switch v := a.Value; v.Kind() {
		case slog.KindString:
			b = appendJSONString(b, v.String())
		case slog.KindDuration:
			b = strconv.AppendInt(b, int64(v.Duration()), 10)
		default:
			b = appendScalar(b, v)
		}
		return true
	})
	return append(b, "}\n"...)
}

func appendScalar(b []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	}
	return strconv.AppendBool(b, v.Bool())
}

// appendRFC3339Millis appends t as slog's text handler does: RFC 3339 with exactly
// three digits of milliseconds, truncated.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	// RFC3339Nano drops trailing zeros: a tenth of a millisecond more keeps four
	// digits, and the fourth is then dropped.
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}

// appendText appends s as the text handler writes a string: as is, or quoted (Go
// syntax) when it is empty or holds a space, '=', '"', a control or unprintable
// character, or invalid UTF-8, so that a value can never forge another field or line.
func appendText(b []byte, s string) []byte {
	if needsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == ' ' || c == '=' || c == '"' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// appendJSONString appends s as a JSON string, escaped as slog's JSON handler does:
// '"', '\\' and control characters escaped, invalid UTF-8 as \ufffd, U+2028 and U+2029
// escaped, HTML characters as they are.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
