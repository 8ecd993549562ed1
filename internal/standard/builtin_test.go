package standard_test

import (
	"testing"

	"github.com/probity-dev/probity/internal/standard"
)

// TestBuiltinIsValid: every shipped control and framework passes the domain's checks,
// and names are unique, as the store requires.
func TestBuiltinIsValid(t *testing.T) {
	c, err := standard.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, ctl := range c.Controls {
		if err := ctl.Validate(); err != nil {
			t.Errorf("%s: %v", ctl.Name, err)
		}
		if names[ctl.Name] {
			t.Errorf("control name %q is not unique", ctl.Name)
		}
		names[ctl.Name] = true
	}
	fnames := map[string]bool{}
	for _, f := range c.Frameworks {
		if err := f.Validate(); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
		if fnames[f.Name] {
			t.Errorf("framework name %q is not unique", f.Name)
		}
		fnames[f.Name] = true
	}
	t.Logf("%d controls, %d frameworks", len(c.Controls), len(c.Frameworks))
}
