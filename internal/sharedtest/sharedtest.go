// Package sharedtest finds the reference data that sits beside the module as
// ../shared/data (public data sets written by others; see its SOURCES.md), for tests
// that read it. $PROBITY_SHARED names the shared directory instead, for checkouts
// elsewhere (a git worktree, a CI workspace).
package sharedtest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the directory data/PARTS... of the shared reference data, or skips the
// test when it is absent, saying where it was looked for.
func Dir(t testing.TB, parts ...string) string {
	t.Helper()
	root := os.Getenv("PROBITY_SHARED")
	if root == "" {
		_, file, _, _ := runtime.Caller(0) // internal/sharedtest/sharedtest.go in the module
		root = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared")
	}
	dir := filepath.Join(append([]string{root, "data"}, parts...)...)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("reference data %s is absent (it sits beside the module as ../shared, or set PROBITY_SHARED); skipping", dir)
	}
	return dir
}
