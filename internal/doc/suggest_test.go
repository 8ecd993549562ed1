package doc

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClosest(t *testing.T) {
	candidates := []string{"description", "name", "sourceType", "sourceName", "tags", "DataSecurity-PublicAccessProhibited"}
	tests := []struct {
		s    string
		n    int
		want []string
	}{
		{"descripton", 1, []string{"description"}},          // one deletion
		{"NAME", 1, []string{"name"}},                       // case does not count
		{"sourceTyp", 2, []string{"sourceType"}},            // sourceName is too far
		{"source", 3, []string{"sourceName", "sourceType"}}, // a prefix of both, in name order
		{"DataSecurity", 1, []string{"DataSecurity-PublicAccessProhibited"}},
		{"owner", 1, nil}, // too far from all
		{"tag", 0, nil},
	}
	for _, tt := range tests {
		if got := Closest(tt.s, candidates, tt.n); !cmp.Equal(tt.want, got) {
			t.Errorf("Closest(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	tests := []struct{ s, want string }{
		{"sourceTyp", " (did you mean sourceType?)"},
		{"owner", ""},
	}
	for _, tt := range tests {
		if got := DidYouMean(tt.s, []string{"sourceType", "name"}); got != tt.want {
			t.Errorf("DidYouMean(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
