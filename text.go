package probity

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TextKind says which white space a string member may hold besides spaces. Every kind
// refuses what no file and no database can carry faithfully: invalid UTF-8, NUL and the
// other control characters (C0, DEL, C1 including U+0085), the line and paragraph
// separators U+2028 and U+2029, and the noncharacters (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF).
// The same rules hold for the API and for catalog files.
type TextKind int

const (
	// SingleLine is for names, titles, keywords, tag values and identifiers: no tabs and
	// no line breaks.
	SingleLine TextKind = iota
	// FreeText is for descriptions, instructions and comments: tabs and line feeds (U+000A)
	// are allowed; carriage returns are not (write line breaks as a line feed).
	FreeText
)

// AllowedRune reports whether r may appear in text of the kind.
func AllowedRune(r rune, kind TextKind) bool {
	switch {
	case r == '\t' || r == '\n':
		return kind == FreeText
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return false
	case r == '\u2028' || r == '\u2029':
		return false
	case r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe:
		return false
	case r == utf8.RuneError:
		return true // U+FFFD itself is a character; invalid bytes are caught before
	}
	return r <= unicode.MaxRune
}

// CheckText returns "" when s is valid UTF-8 holding only characters that text of the
// kind may hold, or else the reason it is not, naming the first offending character
// (for example "must not contain U+0000 (a control character)").
func CheckText(s string, kind TextKind) string {
	if plainASCII(s, kind) {
		return ""
	}
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	i := strings.IndexFunc(s, func(r rune) bool { return !AllowedRune(r, kind) })
	if i < 0 {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return fmt.Sprintf("must not contain %U (%s)", r, describeRune(r, kind))
}

// plainASCII reports whether s is printable ASCII and, in free text, tabs and line
// feeds: the common case, which needs no decoding.
func plainASCII(s string, kind TextKind) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x20 && c < 0x7f:
		case (c == '\t' || c == '\n') && kind == FreeText:
		default:
			return false
		}
	}
	return true
}

// describeRune says what kind of character a refused rune is.
func describeRune(r rune, kind TextKind) string {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		if kind == SingleLine {
			return "a tab or line break; this member is a single line"
		}
		return "a carriage return; end lines with U+000A alone"
	case r < 0x20 || r >= 0x7f && r <= 0x9f:
		return "a control character"
	case r == '\u2028':
		return "the line separator; use U+000A"
	case r == '\u2029':
		return "the paragraph separator; use U+000A"
	}
	return "a noncharacter"
}

// IsBlank reports whether s holds nothing but white space.
func IsBlank(s string) bool { return strings.TrimFunc(s, unicode.IsSpace) == "" }
