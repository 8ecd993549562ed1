package sqlstore

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// rowText reads the JSON that this package writes into text columns: flat objects of
// strings, and arrays of them. Reading a library decodes one such value per control, and
// encoding/json's reflection was most of that cost; rowText reads the common shapes
// directly and reports false for anything else, so that the caller falls back to
// encoding/json, which also reports the error of a malformed value.
// Strings without escapes are slices of the text itself, so reading them allocates
// nothing.
type rowText struct {
	b  string
	i  int
	ok bool
}

func newRowText(s string) *rowText { return &rowText{b: s, ok: true} }

func (r *rowText) space() {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\n' || r.b[r.i] == '\t' || r.b[r.i] == '\r') {
		r.i++
	}
}

// next reports whether the next byte, after white space, is c, and consumes it if so.
func (r *rowText) next(c byte) bool {
	r.space()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

func (r *rowText) want(c byte) {
	if !r.next(c) {
		r.ok = false
	}
}

// str reads a JSON string. One without escapes is taken as it is; one with escapes or
// bytes that are not UTF-8 goes through encoding/json.
func (r *rowText) str() string {
	r.space()
	if !r.ok || r.i >= len(r.b) || r.b[r.i] != '"' {
		r.ok = false
		return ""
	}
	start := r.i
	escaped := false
	for j := r.i + 1; j < len(r.b); j++ {
		switch c := r.b[j]; {
		case c == '\\':
			escaped = true
			j++
		case c < 0x20:
			r.ok = false
			return ""
		case c == '"':
			r.i = j + 1
			if raw := r.b[start+1 : j]; !escaped && utf8.ValidString(raw) {
				return raw
			}
			var s string
			if json.Unmarshal([]byte(r.b[start:j+1]), &s) != nil {
				r.ok = false
			}
			return s
		}
	}
	r.ok = false
	return ""
}

// object reads a JSON object, calling member for each name; member reads the value.
func (r *rowText) object(member func(name string)) {
	r.want('{')
	if r.next('}') {
		return
	}
	for r.ok {
		name := r.str()
		r.want(':')
		if !r.ok {
			return
		}
		member(name)
		if r.next('}') {
			return
		}
		r.want(',')
	}
}

// end reports whether the whole text was read without a problem.
func (r *rowText) end() bool {
	r.space()
	return r.ok && r.i == len(r.b)
}

// null reads a JSON null, if that is what comes next.
func (r *rowText) null() bool {
	r.space()
	if strings.HasPrefix(r.b[r.i:], "null") {
		r.i += 4
		return true
	}
	return false
}
