package console

import (
	"sync"
	"time"
)

// maxThrottled bounds the throttle's memory: past it, windows that have passed are
// dropped, and when none has the oldest half goes.
const maxThrottled = 10000

// throttle counts failed sign-ins per name (a key id, a client) in fixed windows: after
// max failures within window, allow refuses that name until its window passes. It is
// per process. It keeps each name's hash, not the name: names come from anyone (a key id
// is whatever a sign-in form holds), and an entry must cost the same whatever their length.
type throttle struct {
	max    int
	window time.Duration
	mu     sync.Mutex
	m      map[string]*failures // by tokenHash of the name
}

type failures struct {
	n     int
	since time.Time
}

func newThrottle(max int, window time.Duration) *throttle {
	return &throttle{max: max, window: window, m: map[string]*failures{}}
}

// allow reports whether none of the names has reached the limit.
func (t *throttle) allow(now time.Time, names ...string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, n := range names {
		if f := t.m[tokenHash(n)]; f != nil && now.Sub(f.since) < t.window && f.n >= t.max {
			return false
		}
	}
	return true
}

// fail counts a failure against each name.
func (t *throttle) fail(now time.Time, names ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m) >= maxThrottled {
		t.pruneLocked(now)
	}
	for _, n := range names {
		h := tokenHash(n)
		f := t.m[h]
		if f == nil || now.Sub(f.since) >= t.window {
			f = &failures{since: now}
			t.m[h] = f
		}
		f.n++
	}
}

// reset forgets the name's failures (a key id that signed in).
func (t *throttle) reset(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, tokenHash(name))
}

func (t *throttle) pruneLocked(now time.Time) {
	for n, f := range t.m {
		if now.Sub(f.since) >= t.window {
			delete(t.m, n)
		}
	}
	if len(t.m) < maxThrottled {
		return
	}
	i := 0
	for n := range t.m { // map order is random: half of the names, any half
		if i%2 == 0 {
			delete(t.m, n)
		}
		i++
	}
}
