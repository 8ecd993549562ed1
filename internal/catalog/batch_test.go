package catalog

import (
	"context"
	"errors"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/catalog/catalogtest"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// failingStore fails the n-th PutControls of its Updates.
type failingStore struct {
	store.Store
	n, calls int
}

func (s *failingStore) Update(ctx context.Context, lock store.Lock, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, lock, func(tx store.Tx) error { return fn(&failingTx{Tx: tx, s: s}) })
}

type failingTx struct {
	store.Tx
	s *failingStore
}

var errInjected = errors.New("injected failure")

func (tx *failingTx) PutControls(ctx context.Context, cs []*probity.Control) error {
	if tx.s.calls++; tx.s.calls == tx.s.n {
		return errInjected
	}
	return tx.Tx.PutControls(ctx, cs)
}

// TestApplyWritesInBatches checks a cold apply of more controls and frameworks than one
// write carries, on both backends, as the CLI makes it (against an outline, so the plan's
// copies go as they are written): a failure in a later batch leaves the library as it
// was (one transaction); otherwise every control and framework is written, the
// frameworks name the controls' ids, and the files then plan no change.
func TestApplyWritesInBatches(t *testing.T) {
	const controls, per = 2*writeBatch + 500, 50
	ctx := context.Background()
	account := probity.DefaultPartition.AccountID
	dir, err := catalogtest.Write(t.TempDir(), catalogtest.Spec{Controls: controls, Frameworks: controls / per, PerFramework: per, Revision: "1"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := doc.ListPaths([]string{dir}, doc.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	apply := func(st store.Store) (*Plan, error) {
		outline, err := st.LibraryOutline(ctx, account)
		if err != nil {
			t.Fatal(err)
		}
		cat, diags, err := LoadKnownFrom(l, outline)
		if err != nil || len(diags) > 0 {
			t.Fatal(err, diags)
		}
		return Apply(ctx, st, cat, Options{Library: outline})
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			if _, err := apply(&failingStore{Store: st, n: 3}); !errors.Is(err, errInjected) {
				t.Fatalf("apply with the third batch failing: %v", err)
			}
			if lib, err := st.Library(ctx, account); err != nil || len(lib.Controls) != 0 || len(lib.Frameworks) != 0 {
				t.Fatalf("after a failed batch the library holds %d controls and %d frameworks (%v); want none",
					len(lib.Controls), len(lib.Frameworks), err)
			}
			plan, err := apply(st)
			if err != nil {
				t.Fatal(err)
			}
			if plan.Count(Create) != controls+controls/per {
				t.Fatalf("created %d, want %d", plan.Count(Create), controls+controls/per)
			}
			lib, err := st.Library(ctx, account)
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			for _, c := range lib.Controls {
				ids[c.ID] = true
			}
			members := 0
			for _, f := range lib.Frameworks {
				for _, cs := range f.ControlSets {
					for _, id := range cs.Controls {
						if !ids[id] {
							t.Fatalf("framework %s names %s, no control", f.Name, id)
						}
						members++
					}
				}
			}
			if len(lib.Controls) != controls || len(lib.Frameworks) != controls/per || members != controls {
				t.Fatalf("library: %d controls, %d frameworks, %d members; want %d, %d, %d",
					len(lib.Controls), len(lib.Frameworks), members, controls, controls/per, controls)
			}
			if plan, err := apply(st); err != nil || !plan.Empty() {
				t.Fatalf("the same files again: %+v, %v; want no change", plan, err)
			}
		})
	}
}
