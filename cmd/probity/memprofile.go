//go:build pprof

package main

import (
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// A binary built with -tags pprof writes, when PROBITY_MEMPROFILE names a file, the heap
// profile taken each time the live heap reaches a new high (sampled every 20 ms), so that
// the file ends up holding the profile at the command's peak: what `go tool pprof
// -sample_index=inuse_space` shows is what the peak RSS is made of. As a heap profile
// shows the heap of the last garbage collection but one, it also writes the profile
// every half second to the file's name followed by .last.
func init() {
	path := os.Getenv("PROBITY_MEMPROFILE")
	if path == "" {
		return
	}
	runtime.MemProfileRate = 64 << 10
	go func() {
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var peak uint64
		write := func(path string) {
			if f, err := os.Create(path); err == nil {
				_ = pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
		}
		for i := 0; ; i++ {
			time.Sleep(20 * time.Millisecond)
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak+peak/20 {
				peak = v
				write(path)
			}
			if i%25 == 0 {
				write(path + ".last")
			}
		}
	}()
}
