package amapi

import (
	"testing"
	"time"
)

func TestLimiterBelowOnePerSecond(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	l := newLimiter(0.5, func() time.Time { return now })
	if !l.allow("k") {
		t.Fatal("the first request of a key with rate 0.5 was refused")
	}
	if l.allow("k") {
		t.Fatal("a second request at once was allowed at rate 0.5")
	}
	now = now.Add(2 * time.Second)
	if !l.allow("k") {
		t.Fatal("a request two seconds later was refused at rate 0.5")
	}
	if !l.allow("other") {
		t.Fatal("one key's bucket limited another key")
	}
}

func TestLimiterBurst(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	l := newLimiter(3, func() time.Time { return now })
	allowed := 0
	for range 10 {
		if l.allow("k") {
			allowed++
		}
	}
	if allowed != 3 {
		t.Fatalf("a burst at rate 3 let %d requests through, want 3", allowed)
	}
}
