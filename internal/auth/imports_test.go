package auth_test

import (
	"go/build"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/probity-dev/probity"

// TestIndependence checks the dependency rules this package exists for: auth knows
// neither SigV4 nor HTTP, and the key manager, which yields its principals, does not
// know SigV4. It follows imports within the module, non-test files only.
func TestIndependence(t *testing.T) {
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{"internal/auth", []string{module + "/internal/sigv4", "net/http"}},
		{"internal/keys", []string{module + "/internal/sigv4"}},
	}
	for _, tt := range tests {
		deps := map[string]bool{}
		walk(t, tt.pkg, deps)
		for _, f := range tt.forbidden {
			if deps[f] {
				t.Errorf("%s depends on %s", tt.pkg, f)
			}
		}
	}
}

// walk adds to deps every package that the module's package at dir (relative to the
// module root) imports, directly or through other packages of the module.
func walk(t *testing.T, dir string, deps map[string]bool) {
	t.Helper()
	p, err := build.ImportDir(filepath.Join("..", "..", filepath.FromSlash(dir)), 0)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	for _, imp := range p.Imports {
		if deps[imp] {
			continue
		}
		deps[imp] = true
		if rest, ok := strings.CutPrefix(imp, module+"/"); ok {
			walk(t, rest, deps)
		} else if imp == module {
			walk(t, ".", deps)
		}
	}
}
