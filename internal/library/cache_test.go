package library

import (
	"testing"
	"time"
)

// TestActiveCacheKeepsTheLatestChange: a status read before a change, stored after it,
// does not undo the change; a read after the change is stored; entries expire.
func TestActiveCacheKeepsTheLatestChange(t *testing.T) {
	var c activeCache
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	_, ok, gen := c.get("a", now)
	if ok {
		t.Fatal("an empty cache knows a status")
	}
	c.changed("a", false, now)      // DeregisterAccount commits meanwhile
	c.remember("a", true, now, gen) // the read that began before it
	if active, ok, _ := c.get("a", now); !ok || active {
		t.Fatalf("get = %v, %v; want the deregistration (false, true)", active, ok)
	}
	_, _, gen = c.get("a", now)
	c.remember("a", false, now, gen)
	if _, ok, _ := c.get("a", now.Add(statusTTL+time.Nanosecond)); ok {
		t.Fatal("an entry outlived statusTTL")
	}
}
