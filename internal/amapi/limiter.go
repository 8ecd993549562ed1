package amapi

import (
	"sync"
	"time"
)

// limiter is a token bucket per access key: rate tokens a second, as many at most but
// never fewer than one, so that a rate below one still lets a request through now and
// then.
type limiter struct {
	rate float64
	now  func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, now func() time.Time) *limiter {
	return &limiter{rate: rate, now: now, buckets: map[string]*bucket{}}
}

// allow takes a token from the key's bucket and reports whether there was one.
func (l *limiter) allow(key string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst(), last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst(), b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// burst is the bucket's size.
func (l *limiter) burst() float64 { return max(1, l.rate) }
