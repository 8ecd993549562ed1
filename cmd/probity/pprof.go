//go:build pprof

package main

import (
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
)

// A binary built with -tags pprof serves Go's profiles on PROBITY_PPROF_LISTEN (such as
// 127.0.0.1:6060), beside whatever command it runs: bench/api -profile uses it to profile
// the real server under load. Release builds carry none of this.
func init() {
	if addr := os.Getenv("PROBITY_PPROF_LISTEN"); addr != "" {
		go http.ListenAndServe(addr, nil)
	}
}
