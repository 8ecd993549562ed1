package console

import (
	"strings"
	"testing"
	"time"
)

// TestThrottleMemoryPerName: a name's entry costs the same whatever the name's length
// (sign-in key ids come unchecked from anyone, up to the body bound), and the throttle
// still counts, refuses and forgets each name as itself.
func TestThrottleMemoryPerName(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, n := range []int{0, 1, 64, 65, 1000, 1 << 20} {
		th := newThrottle(2, time.Minute)
		long, other := "key:"+strings.Repeat("k", n), "key:"+strings.Repeat("k", n)+"x"
		th.fail(now, long, "client:a")
		th.fail(now, long, "client:b")
		for name := range th.m {
			if len(name) > 64 {
				t.Errorf("name of %d bytes: the throttle keeps a name of %d bytes", n, len(name))
			}
		}
		if th.allow(now, long) {
			t.Errorf("name of %d bytes: allowed after 2 failures", n)
		}
		if !th.allow(now, other) || !th.allow(now, "client:a") {
			t.Errorf("name of %d bytes: another name is refused", n)
		}
		th.reset(long)
		if !th.allow(now, long) {
			t.Errorf("name of %d bytes: refused after reset", n)
		}
	}
}
