package main

import (
	"runtime/debug"
	"testing"
)

// TestLimitMemory checks the soft memory limit of validate, plan and apply: set when
// GOMEMLIMIT is not, left to the runtime (which read GOMEMLIMIT) when it is.
func TestLimitMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	for _, tt := range []struct {
		env  string
		want int64
	}{
		{"", catalogMemoryLimit},
		{"1GiB", 12345 << 20}, // what the runtime had, kept
	} {
		debug.SetMemoryLimit(12345 << 20)
		t.Setenv("GOMEMLIMIT", tt.env)
		limitMemory()
		if got := debug.SetMemoryLimit(-1); got != tt.want {
			t.Errorf("GOMEMLIMIT=%q: limit %d, want %d", tt.env, got, tt.want)
		}
	}
}
