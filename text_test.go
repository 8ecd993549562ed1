package probity_test

import (
	"testing"

	"github.com/probity-dev/probity"
)

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		in         string
		line, free bool // accepted as single-line, as free text
	}{
		{"plain name", true, true},
		{"café 😀 \u00a0\u3000\u200b\ufeff\ufffd", true, true},
		{"", true, true},
		{"a\tb", false, true},
		{"\t", false, true},
		{"line\nline\n", false, true},
		{"a\r\nb", false, false},
		{"a\x00b", false, false},
		{"a\x1fb", false, false},
		{"a\x7fb", false, false},
		{"a\u0080b", false, false},
		{"a\u0085b", false, false},
		{"a\u009fb", false, false},
		{"a\u2028b", false, false},
		{"a\u2029b", false, false},
		{"a\ufdd0b", false, false},
		{"a\uffffb", false, false},
		{"a\U0010fffeb", false, false},
		{"a\xffb", false, false},
		{"\xed\xa0\x80", false, false},
	} {
		if got := probity.CheckText(tc.in, probity.SingleLine) == ""; got != tc.line {
			t.Errorf("CheckText(%q, SingleLine) accepts = %v, want %v", tc.in, got, tc.line)
		}
		if got := probity.CheckText(tc.in, probity.FreeText) == ""; got != tc.free {
			t.Errorf("CheckText(%q, FreeText) accepts = %v, want %v", tc.in, got, tc.free)
		}
	}
	if got, want := probity.CheckText("a\x00", probity.FreeText), "must not contain U+0000 (a control character)"; got != want {
		t.Errorf("reason = %q, want %q", got, want)
	}
}

func TestBlankNamesAreRefused(t *testing.T) {
	c := probity.Control{Name: " \u3000 ", ControlMappingSources: []probity.ControlMappingSource{probity.ManualAttestation()}}
	fields := probity.ErrorFields(c.Validate())
	if len(fields) != 1 || fields[0].String() != "name: must not be blank" {
		t.Fatalf("fields = %v, want name: must not be blank", fields)
	}
}
