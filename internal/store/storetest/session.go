package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// testSessions: console sessions are created once per id, read back from another handle
// (another process), touched, deleted one by one, and purged by age.
func testSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	update := func(fn func(tx store.Tx) error) error { return s.Update(ctx, store.LockNone, fn) }
	if _, err := s.Session(ctx, "missing"); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Fatalf("missing session: %v, want ENOTFOUND", err)
	}
	a := &store.Session{ID: "hash-a", KeyID: "PRBKEY", CSRF: "csrf-a", CreatedAt: t0, SeenAt: t0}
	b := &store.Session{ID: "hash-b", KeyID: "PRBKEY", CSRF: "csrf-b", CreatedAt: t0.Add(time.Hour), SeenAt: t0.Add(time.Hour)}
	for _, x := range []*store.Session{a, b} {
		if err := update(func(tx store.Tx) error { return tx.CreateSession(ctx, x) }); err != nil {
			t.Fatalf("create %s: %v", x.ID, err)
		}
	}
	if err := update(func(tx store.Tx) error { return tx.CreateSession(ctx, a) }); probity.ErrorCode(err) != probity.ECONFLICT {
		t.Fatalf("create a known id: %v, want ECONFLICT", err)
	}
	got, err := open(t).Session(ctx, a.ID)
	if err != nil || got.KeyID != a.KeyID || got.CSRF != a.CSRF || !got.CreatedAt.Equal(a.CreatedAt) || !got.SeenAt.Equal(a.SeenAt) {
		t.Fatalf("session from another handle = %+v, %v; want %+v", got, err, a)
	}
	seen := t0.Add(10 * time.Minute)
	if err := update(func(tx store.Tx) error { return tx.TouchSession(ctx, a.ID, seen) }); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, a.ID); err != nil || !got.SeenAt.Equal(seen) {
		t.Fatalf("touched session = %+v, %v; want seen %v", got, err, seen)
	}
	if err := update(func(tx store.Tx) error { return tx.TouchSession(ctx, "missing", seen) }); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Fatalf("touch a missing session: %v, want ENOTFOUND", err)
	}
	// a was created at t0 and seen at t0+10m, b both at t0+1h: a purge of what was
	// created before t0 or seen before t0+5m keeps both; one of what was created before
	// t0+30m takes a; one of what was seen before t0+2h takes b.
	purge := func(created, seen time.Time) int {
		var n int
		if err := update(func(tx store.Tx) (err error) { n, err = tx.DeleteSessionsBefore(ctx, created, seen); return err }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := purge(t0, t0.Add(5*time.Minute)); n != 0 {
		t.Fatalf("purge deleted %d, want 0", n)
	}
	if n := purge(t0.Add(30*time.Minute), t0); n != 1 {
		t.Fatalf("purge by creation deleted %d, want 1", n)
	}
	if _, err := s.Session(ctx, a.ID); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Fatalf("purged session: %v, want ENOTFOUND", err)
	}
	if n := purge(t0, t0.Add(2*time.Hour)); n != 1 {
		t.Fatalf("purge by idleness deleted %d, want 1", n)
	}
	if err := update(func(tx store.Tx) error { return tx.CreateSession(ctx, a) }); err != nil {
		t.Fatal(err)
	}
	for range 2 { // deleting twice is not an error
		if err := update(func(tx store.Tx) error { return tx.DeleteSession(ctx, a.ID) }); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Session(ctx, a.ID); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Fatalf("deleted session: %v, want ENOTFOUND", err)
	}
}
