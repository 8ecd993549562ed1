package amapi

import "unicode/utf8"

// checkJSONText returns a ValidationException unless the body is UTF-8 and every
// \u escape of a UTF-16 surrogate is half of a pair. encoding/json would otherwise turn
// both kinds of damage into U+FFFD without a word, and the store would keep a string the
// client never sent.
func checkJSONText(body []byte) error {
	if !utf8.Valid(body) {
		return validation(reasonCannotParse, "The request body is not valid UTF-8.")
	}
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		// A backslash outside a string is a syntax error the decoder reports; inside one
		// it escapes the next character, which is skipped here so that \\u is not read
		// as an escape.
		i++
		r, ok := unicodeEscape(body, i-1)
		if !ok {
			continue
		}
		switch {
		case r >= 0xd800 && r <= 0xdbff:
			if lo, ok := unicodeEscape(body, i+5); ok && lo >= 0xdc00 && lo <= 0xdfff {
				i += 10 // u, four digits, and the whole low escape
				continue
			}
			return validation(reasonCannotParse, "The request body holds an unpaired UTF-16 surrogate escape \\u%04X.", r)
		case r >= 0xdc00 && r <= 0xdfff:
			return validation(reasonCannotParse, "The request body holds an unpaired UTF-16 surrogate escape \\u%04X.", r)
		}
		i += 4
	}
	return nil
}

// unicodeEscape returns the code unit of the escape \uXXXX at b[i:], if there is one.
func unicodeEscape(b []byte, i int) (rune, bool) {
	if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range b[i+2 : i+6] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
