package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// testSigningKeys: report signing keys are stored once per id, listed oldest first, and
// kept across reopening.
func testSigningKeys(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if ks, err := s.SigningKeys(ctx); err != nil || len(ks) != 0 {
		t.Fatalf("empty store: signing keys = %+v, %v", ks, err)
	}
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	keys := []*store.SigningKey{
		{ID: "ed25519:b", PublicKey: []byte{1, 2, 3}, SealedPrivate: []byte{0, 0xff, 7}, CreatedAt: t0},
		{ID: "ed25519:a", PublicKey: []byte{4, 5}, SealedPrivate: []byte{9}, CreatedAt: t0.Add(time.Second)},
	}
	for _, k := range keys {
		if err := s.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.PutSigningKey(ctx, k) }); err != nil {
			t.Fatalf("put %s: %v", k.ID, err)
		}
	}
	err := s.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.PutSigningKey(ctx, keys[0]) })
	if probity.ErrorCode(err) != probity.ECONFLICT {
		t.Fatalf("put a known id: %v, want ECONFLICT", err)
	}
	for _, r := range []store.Reader{s, open(t)} {
		got, err := r.SigningKeys(ctx)
		if err != nil || len(got) != 2 {
			t.Fatalf("signing keys = %+v, %v", got, err)
		}
		for i, want := range keys {
			g := got[i]
			if g.ID != want.ID || !bytes.Equal(g.PublicKey, want.PublicKey) || !bytes.Equal(g.SealedPrivate, want.SealedPrivate) || !g.CreatedAt.Equal(want.CreatedAt) {
				t.Errorf("key %d = %+v, want %+v", i, g, want)
			}
		}
	}
}
