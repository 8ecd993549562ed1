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

// TestServeLimitsMemoryWithCatalogs checks serve's soft memory limit: set, as for the
// catalog commands, when it keeps catalog sources; not set without them (a server of the
// API alone keeps no catalog); left to the runtime when GOMEMLIMIT is set.
func TestServeLimitsMemoryWithCatalogs(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	const had = 12345 << 20
	for _, tt := range []struct {
		name    string
		env     string
		catalog bool
		want    int64
	}{
		{"catalog", "", true, catalogMemoryLimit},
		{"no catalog", "", false, had},
		{"catalog, GOMEMLIMIT set", "1GiB", true, had},
		{"catalog, GOMEMLIMIT=off", "off", true, had},
	} {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(had)
			t.Setenv("GOMEMLIMIT", tt.env)
			var args []string
			if tt.catalog {
				args = []string{"--catalog", t.TempDir()}
			}
			s := startServe(t, args...)
			s.Stop(t)
			if got := debug.SetMemoryLimit(-1); got != tt.want {
				t.Errorf("limit %d, want %d", got, tt.want)
			}
		})
	}
}
