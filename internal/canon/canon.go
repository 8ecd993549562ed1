// Package canon is the one encoding that Probity hashes. A value is written as canonical
// JSON (the JSON Canonicalization Scheme of RFC 8785: object members sorted by their
// names' UTF-16 code units, no insignificant space, numbers in their shortest round-trip
// form, strings escaped minimally), so that equal values give equal bytes on every machine
// and in every release. Hashes cover Version as well as the bytes: a change to this
// encoding is a new version, never a silent change of every hash already recorded.
//
// Storage rows and wire types each have their own encodings; neither is ever hashed.
package canon

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Version names this encoding; Sum hashes it with the value.
const Version = "probity-canon/1"

// Digest is the SHA-256 of a value's versioned canonical form.
type Digest [sha256.Size]byte

// String returns the digest as "sha256:" and lowercase hex.
func (d Digest) String() string { return "sha256:" + hex.EncodeToString(d[:]) }

// Marshal returns the canonical form of v, which is first marshalled by encoding/json (so
// its struct tags name the members). It returns an error when v does not marshal, or
// holds a number that a double cannot represent exactly (an integer beyond 2^53, say),
// a NaN or an infinity.
func Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("canon: %w", err)
	}
	return Canonicalize(b)
}

// Sum returns the digest of v: SHA-256 over Version, a newline and v's canonical form.
// It fails as Marshal does.
func Sum(v any) (Digest, error) {
	b, err := Marshal(v)
	if err != nil {
		return Digest{}, err
	}
	return SumCanonical(b), nil
}

// SumCanonical returns the digest of bytes already in canonical form.
func SumCanonical(canonical []byte) Digest {
	h := sha256.New()
	io.WriteString(h, Version+"\n")
	h.Write(canonical)
	var d Digest
	h.Sum(d[:0])
	return d
}

// Canonicalize returns the canonical form of the JSON text b. It returns an error when b
// is not one JSON value, holds invalid UTF-8 or an object with a repeated member name, or
// a number that a double cannot represent exactly.
func Canonicalize(b []byte) ([]byte, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("canon: the text is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out bytes.Buffer
	out.Grow(len(b))
	if err := value(dec, &out); err != nil {
		return nil, fmt.Errorf("canon: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("canon: more than one JSON value")
	}
	return out.Bytes(), nil
}

// value reads one value from dec and writes its canonical form.
func value(dec *json.Decoder, out *bytes.Buffer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return array(dec, out)
		}
		return object(dec, out)
	case string:
		writeString(out, t)
	case json.Number:
		return writeNumber(out, t)
	case bool:
		out.WriteString(strconv.FormatBool(t))
	case nil:
		out.WriteString("null")
	}
	return nil
}

func array(dec *json.Decoder, out *bytes.Buffer) error {
	out.WriteByte('[')
	for i := 0; dec.More(); i++ {
		if i > 0 {
			out.WriteByte(',')
		}
		if err := value(dec, out); err != nil {
			return err
		}
	}
	_, err := dec.Token() // ]
	out.WriteByte(']')
	return err
}

type member struct {
	name  string
	key   []uint16
	value []byte
}

func object(dec *json.Decoder, out *bytes.Buffer) error {
	var ms []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name := tok.(string) // the decoder only yields strings as member names
		var v bytes.Buffer
		if err := value(dec, &v); err != nil {
			return err
		}
		ms = append(ms, member{name: name, key: utf16.Encode([]rune(name)), value: v.Bytes()})
	}
	if _, err := dec.Token(); err != nil { // }
		return err
	}
	slices.SortFunc(ms, func(a, b member) int { return slices.Compare(a.key, b.key) })
	out.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			if ms[i-1].name == m.name {
				return fmt.Errorf("member %q is given twice", m.name)
			}
			out.WriteByte(',')
		}
		writeString(out, m.name)
		out.WriteByte(':')
		out.Write(m.value)
	}
	out.WriteByte('}')
	return nil
}

const hexDigits = "0123456789abcdef"

// writeString escapes only what JSON requires: the quote, the backslash and the control
// characters below U+0020, using the two-character forms where JSON has them.
func writeString(out *bytes.Buffer, s string) {
	out.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			out.WriteByte('\\')
			out.WriteByte(c)
		case c >= 0x20:
			out.WriteByte(c)
		case c == '\b':
			out.WriteString(`\b`)
		case c == '\t':
			out.WriteString(`\t`)
		case c == '\n':
			out.WriteString(`\n`)
		case c == '\f':
			out.WriteString(`\f`)
		case c == '\r':
			out.WriteString(`\r`)
		default:
			out.WriteString(`\u00`)
			out.WriteByte(hexDigits[c>>4])
			out.WriteByte(hexDigits[c&0xf])
		}
	}
	out.WriteByte('"')
}

// writeNumber writes n as ECMAScript writes a double, after checking that the double is
// exactly the number written in the input, so that no hash ever covers a rounded value.
func writeNumber(out *bytes.Buffer, n json.Number) error {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Errorf("number %s is outside the range of a double", n)
	}
	if !sameDecimal(string(n), strconv.FormatFloat(f, 'e', -1, 64)) {
		return fmt.Errorf("number %s cannot be represented exactly; hash it as a string", n)
	}
	out.WriteString(formatDouble(f))
	return nil
}

// sameDecimal reports whether two decimal texts denote the same value, comparing their
// significant digits and exponents. Against the shortest form of a double parsed from a,
// it tells whether the double is exactly a.
func sameDecimal(a, b string) bool {
	da, ea := digits(a)
	db, eb := digits(b)
	return da == db && (da == "" || ea == eb)
}

// digits returns the significant digits of a decimal text without leading or trailing
// zeros, and the power of ten of its first digit.
func digits(s string) (string, int) {
	s = strings.TrimPrefix(s, "-")
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, _ = strconv.Atoi(s[i+1:])
		s = s[:i]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	all := intPart + frac
	point := len(intPart) // the decimal point sits after this many digits of all
	lead := len(all) - len(strings.TrimLeft(all, "0"))
	all = strings.TrimRight(all[lead:], "0")
	return all, exp + point - lead - 1
}

// formatDouble is ECMAScript's Number::toString for a finite double.
func formatDouble(f float64) string {
	if f == 0 {
		return "0" // -0 too
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±x, the shortest round trip
	mant, expText, _ := strings.Cut(e, "e")
	ds := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(expText)
	k, n := len(ds), x+1 // k digits; the value is 0.ds × 10^n
	switch {
	case k <= n && n <= 21:
		return sign + ds + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + ds[:n] + "." + ds[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + ds
	}
	exp := strconv.Itoa(n - 1)
	if n-1 >= 0 {
		exp = "+" + exp
	}
	if k == 1 {
		return sign + ds + "e" + exp
	}
	return sign + ds[:1] + "." + ds[1:] + "e" + exp
}
