package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// testUpdatePanicIsError panics in fn after a write: Update returns the panic as an error,
// nothing of fn remains, and the store goes on.
func testUpdatePanicIsError(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	for _, lock := range []store.Lock{store.LockLibrary, store.LockNone} {
		err := s.Update(ctx, lock, func(tx store.Tx) error {
			if err := tx.PutControls(ctx, []*probity.Control{NewControl("doomed " + lock.String())}); err != nil {
				return err
			}
			panic("fn of " + lock.String() + " gave up")
		})
		if err == nil || !strings.Contains(err.Error(), "gave up") {
			t.Fatalf("Update(%s) with a panicking fn returned %v, want the panic as an error", lock, err)
		}
	}
	Put(t, s, []*probity.Control{NewControl("after")}, nil)
	lib, err := s.Library(ctx, Account)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Controls) != 1 || lib.Controls[0].Name != "after" {
		t.Fatalf("library after panics: %+v, want only the control written after them", lib.Controls)
	}
}

// testUpdateCancelledBeforeRun calls Update with a ctx that has ended: it returns ctx's
// error and fn does not run.
func testUpdateCancelledBeforeRun(t *testing.T, open Opener) {
	s := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, lock := range []store.Lock{store.LockLibrary, store.LockNone} {
		ran := false
		err := s.Update(ctx, lock, func(store.Tx) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Update(%s) with an ended ctx returned %v, want context.Canceled", lock, err)
		}
		if ran {
			t.Errorf("Update(%s) ran fn for an ended ctx", lock)
		}
	}
}

// testConcurrentWritersAllCommit has many writers of one area at once, every third one
// failing after its write: each gets its own outcome, and exactly the others' rows remain.
func testConcurrentWritersAllCommit(t *testing.T, open Opener) {
	s1, s2 := open(t), open(t)
	const writers = 90
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		s := s1
		if i%2 == 1 {
			s = s2
		}
		wg.Go(func() {
			errs[i] = s.Update(context.Background(), store.LockLibrary, func(tx store.Tx) error {
				if err := tx.PutControls(context.Background(), []*probity.Control{NewControl(fmt.Sprintf("w%02d", i))}); err != nil {
					return err
				}
				if i%3 == 0 {
					return boom
				}
				return nil
			})
		})
	}
	wg.Wait()
	want := 0
	for i, err := range errs {
		if i%3 == 0 {
			if !errors.Is(err, boom) {
				t.Errorf("writer %d returned %v, want its own error", i, err)
			}
			continue
		}
		want++
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	lib, err := s1.Library(context.Background(), Account)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Controls) != want {
		t.Fatalf("library holds %d controls after %d writers succeeded", len(lib.Controls), want)
	}
	for _, c := range lib.Controls {
		var i int
		if _, err := fmt.Sscanf(c.Name, "w%d", &i); err != nil || i%3 == 0 {
			t.Errorf("control %q remains, written by a writer that failed", c.Name)
		}
	}
}

// RunsTwice is a store whose Update calls fn twice, as a group commit may
// (store.Store.Update): the first call's transaction is rolled back after fn succeeded,
// Between (when set) runs, and the second call's outcome is Update's. Tests of Update's
// callers use it to show that their fn is safe to call again, Between standing for what
// another writer may commit in the meantime.
type RunsTwice struct {
	store.Store
	Between func()
}

var errRunAgain = errors.New("storetest: rolled back to run fn again")

// Update implements store.Store.
func (s RunsTwice) Update(ctx context.Context, lock store.Lock, fn func(store.Tx) error) error {
	err := s.Store.Update(ctx, lock, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRunAgain
	})
	if !errors.Is(err, errRunAgain) {
		return err
	}
	if s.Between != nil {
		s.Between()
	}
	return s.Store.Update(ctx, lock, fn)
}
