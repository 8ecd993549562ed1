package auth_test

import (
	"testing"

	"github.com/probity-dev/probity/internal/auth"
)

func TestAllows(t *testing.T) {
	tests := []struct {
		level, needs auth.Level
		want         bool
	}{
		{auth.Viewer, auth.Viewer, true},
		{auth.Viewer, auth.Editor, false},
		{auth.Viewer, auth.Admin, false},
		{auth.Editor, auth.Viewer, true},
		{auth.Editor, auth.Editor, true},
		{auth.Editor, auth.Admin, false},
		{auth.Admin, auth.Viewer, true},
		{auth.Admin, auth.Editor, true},
		{auth.Admin, auth.Admin, true},
		{"", auth.Viewer, false},
		{"owner", auth.Viewer, false},
		{"Admin", auth.Viewer, false},
		{auth.Admin, "", false},
		{auth.Admin, "owner", false},
	}
	for _, tt := range tests {
		if got := tt.level.Allows(tt.needs); got != tt.want {
			t.Errorf("%q.Allows(%q) = %v, want %v", tt.level, tt.needs, got, tt.want)
		}
	}
}

func TestValid(t *testing.T) {
	for _, l := range auth.Levels {
		if !l.Valid() {
			t.Errorf("%q is not valid", l)
		}
	}
	for _, l := range []auth.Level{"", "owner", "VIEWER", " viewer"} {
		if l.Valid() {
			t.Errorf("%q is valid", l)
		}
	}
}
