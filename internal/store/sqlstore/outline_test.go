package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"unsafe"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/sqlstore"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// TestOutlineHoldsEachStringOnce checks what an outline, which serve keeps for as long as
// it runs, holds per control: the content digest the catalog recorded at the end of
// source_digest is that string's tail, not a copy, and every control's owner and account
// are one string each; a content digest that moved since (an API write) is its own.
func TestOutlineHoldsEachStringOnce(t *testing.T) {
	ctx := context.Background()
	backends(t, func(t *testing.T, s *sqlstore.DB) {
		var cs []*probity.Control
		for _, name := range []string{"A", "B", "C"} {
			c := storetest.NewControl(name)
			c.ManagedBy = "/srv/catalog"
			c.SourceDigest = strings.Repeat("f", 64) + "/" + probity.ContentDigest(c)
			cs = append(cs, c)
		}
		moved := cs[2]
		if err := s.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutControls(ctx, cs) }); err != nil {
			t.Fatal(err)
		}
		moved.Description = "changed by the API"
		if err := s.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutControls(ctx, []*probity.Control{moved}) }); err != nil {
			t.Fatal(err)
		}
		lib, err := s.LibraryOutline(ctx, storetest.Account)
		if err != nil {
			t.Fatal(err)
		}
		if len(lib.Controls) != 3 {
			t.Fatalf("%d controls, want 3", len(lib.Controls))
		}
		first := lib.Controls[0]
		for _, c := range lib.Controls {
			content := lib.ContentDigests[c.ID]
			_, recorded, _ := strings.Cut(c.SourceDigest, "/")
			shared := unsafe.StringData(content) == unsafe.StringData(recorded)
			if c.Name == moved.Name {
				if content != probity.ContentDigest(moved) || shared {
					t.Errorf("%s: content digest %q (shared: %v), want its own %q", c.Name, content, shared, probity.ContentDigest(moved))
				}
			} else if content != recorded || !shared {
				t.Errorf("%s: content digest %q (shared: %v), want the tail of source_digest %q", c.Name, content, shared, recorded)
			}
			if c.ManagedBy != cs[0].ManagedBy || unsafe.StringData(c.ManagedBy) != unsafe.StringData(first.ManagedBy) {
				t.Errorf("%s: owner %q is held apart", c.Name, c.ManagedBy)
			}
			if c.AccountID != storetest.Account || unsafe.StringData(c.AccountID) != unsafe.StringData(first.AccountID) {
				t.Errorf("%s: account %q is held apart", c.Name, c.AccountID)
			}
		}
	})
}

// TestLibraryHasNoSpareCapacity checks that a library's controls, whole or outlined, are
// read into a slice of their number: a 50,000-control library grown by append kept a
// fifth of its slice unused for as long as serve held it, and left the slices it
// outgrew as garbage. Shared controls, the account's and both are read.
func TestLibraryHasNoSpareCapacity(t *testing.T) {
	ctx := context.Background()
	backends(t, func(t *testing.T, s *sqlstore.DB) {
		put := func(shared bool, names ...string) {
			t.Helper()
			var cs []*probity.Control
			for _, name := range names {
				c := storetest.NewControl(name)
				if shared {
					c.Type, c.AccountID, c.ManagedBy = probity.ControlTypeStandard, "", ""
				}
				cs = append(cs, c)
			}
			if err := s.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutControls(ctx, cs) }); err != nil {
				t.Fatal(err)
			}
		}
		reads := []struct {
			name string
			read func(context.Context, string) (*store.Library, error)
		}{{"Library", s.Library}, {"LibraryOutline", s.LibraryOutline}}
		steps := []struct {
			name           string
			shared, custom []string
			want           int // controls the account sees
		}{
			{name: "empty", want: 0},
			{name: "the account's only", custom: []string{"C1", "C2", "C3", "C4", "C5"}, want: 5},
			{name: "shared and the account's", shared: []string{"S1", "S2", "S3"}, want: 8},
		}
		for _, step := range steps {
			put(false, step.custom...)
			put(true, step.shared...)
			for _, r := range reads {
				lib, err := r.read(ctx, storetest.Account)
				if err != nil {
					t.Fatal(err)
				}
				if len(lib.Controls) != step.want || cap(lib.Controls) != step.want {
					t.Errorf("%s: %s: %d controls in a slice of %d, want %d in %d", step.name, r.name, len(lib.Controls), cap(lib.Controls), step.want, step.want)
				}
			}
		}
	})
}
