package canon

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestCanonicalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"space and order", `{ "b" : 1, "a" : [ true , null, "x" ] }`, `{"a":[true,null,"x"],"b":1}`},
		{"nested objects sorted", `{"z":{"y":1,"x":2},"a":{}}`, `{"a":{},"z":{"x":2,"y":1}}`},
		// Sorting is by UTF-16 code units: U+10000 (a surrogate pair, D800 DC00) sorts before
		// U+E000, although its UTF-8 bytes sort after.
		{"utf-16 order", "{\"\ue000\":1,\"\U00010000\":2,\"a\":3}", "{\"a\":3,\"\U00010000\":2,\"\ue000\":1}"},
		{"escapes minimal", `"\u0041\/\u00e9\u2028<>&\u001f\b\"\\"`, "\"A/é\u2028<>&\\u001f\\b\\\"\\\\\""},
		{"control characters", `"\u0000\t\n\r\f\u0007"`, `"\u0000\t\n\r\f\u0007"`},
		{"integers", `[0, -0, 1, -1, 9007199254740992, 100]`, `[0,0,1,-1,9007199254740992,100]`},
		{"fractions", `[0.5, -4.5, 1.0, 2.50, 0.000001, 1e-7, 333333333.3333333]`, `[0.5,-4.5,1,2.5,0.000001,1e-7,333333333.3333333]`},
		{"exponents", `[1e21, 1e20, 1.5e300, 5e-324, 1.7976931348623157e308, 123e-2]`,
			`[1e+21,100000000000000000000,1.5e+300,5e-324,1.7976931348623157e+308,1.23]`},
		{"empty", `[{},[],""]`, `[{},[],""]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonicalize([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("Canonicalize(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			again, err := Canonicalize(got)
			if err != nil || string(again) != string(got) {
				t.Fatalf("not idempotent: %s -> %s, %v", got, again, err)
			}
		})
	}
}

func TestCanonicalizeRefuses(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"duplicate member", `{"a":1,"a":2}`, `member "a" is given twice`},
		{"integer beyond a double", `9007199254740993`, "cannot be represented exactly"},
		{"fraction beyond a double", `0.1000000000000000000001`, "cannot be represented exactly"},
		{"out of range", `1e400`, "outside the range"},
		{"two values", `1 2`, "more than one JSON value"},
		{"invalid UTF-8", "\"\xff\"", "not valid UTF-8"},
		{"not JSON", `{"a":}`, "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Canonicalize([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Canonicalize(%q) = %v, want an error containing %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestFormatDoubleRoundTrips(t *testing.T) {
	for _, f := range []float64{1, 0.1, 1.0 / 3, 2.0 / 3 * 1e-10, 1e15 + 0.3, math.MaxFloat64, math.SmallestNonzeroFloat64,
		123456789012345680000, 1e21, 9.999999999999999e20, -1e-6, -1.5e-7} {
		s := formatDouble(f)
		var back float64
		if err := json.Unmarshal([]byte(s), &back); err != nil || back != f {
			t.Errorf("formatDouble(%v) = %s, which reads back as %v (%v)", f, s, back, err)
		}
	}
}

// TestSumIsVersionedAndStable pins the digest of one value: a change here changes every
// recorded hash, and must come with a new Version instead.
func TestSumIsVersionedAndStable(t *testing.T) {
	v := struct {
		B string `json:"b"`
		A []int  `json:"a"`
	}{"évidence", []int{3, 1}}
	d, err := Sum(v)
	if err != nil {
		t.Fatal(err)
	}
	canonical := `{"a":[3,1],"b":"évidence"}`
	if d != SumCanonical([]byte(canonical)) {
		t.Fatal("Sum differs from SumCanonical of the canonical form")
	}
	const want = "sha256:bdfcbc62e05240d9eb9b6870960ae6fd9b9b02eb9b0130e15722d2647afd1179"
	if got := d.String(); got != want {
		t.Fatalf("Sum = %s, want %s", got, want)
	}
}

func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[1.5,"x",null]}`, `"\u2028"`, `[1e21,0.000001]`, `{"":{"":[]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Canonicalize(b)
		if err != nil {
			return
		}
		again, err := Canonicalize(c)
		if err != nil || string(again) != string(c) {
			t.Fatalf("canonical form %s does not canonicalize to itself: %s, %v", c, again, err)
		}
		var x, y any
		if json.Unmarshal(b, &x) != nil || json.Unmarshal(c, &y) != nil {
			t.Fatalf("canonical form %s of %q is not JSON", c, b)
		}
	})
}
