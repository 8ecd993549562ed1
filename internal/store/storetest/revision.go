package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// testLibraryRevision checks that every kind of library change, committed through either
// of two handles on the database, moves the revision of the account it touches (and the
// standard content's, every account's), and that nothing else does: another account's
// change, a rolled-back one, or a write outside the library.
func testLibraryRevision(t *testing.T, open Opener) {
	ctx := context.Background()
	s, second := open(t), open(t)
	c1, c2 := NewControl("one"), NewControl("two")
	Put(t, s, []*probity.Control{c1, c2}, nil)
	fw := NewFramework("fw", []*probity.Control{c1})
	Put(t, s, nil, []*probity.Framework{fw})

	rev := func(account string) int64 {
		t.Helper()
		n, err := s.LibraryRevision(ctx, account)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	tests := []struct {
		name  string
		via   store.Store
		write func(tx store.Tx) error
		// moves says whose revisions change: Account's, other's.
		mine, theirs bool
	}{
		{"new control", s, func(tx store.Tx) error {
			return tx.PutControls(ctx, []*probity.Control{NewControl("three")})
		}, true, false},
		{"replaced control, second handle", second, func(tx store.Tx) error {
			c := *c2
			c.Description = "changed"
			return tx.PutControls(ctx, []*probity.Control{&c})
		}, true, false},
		{"deleted control", s, func(tx store.Tx) error { return tx.DeleteControls(ctx, Account, []string{c2.ID}) }, true, false},
		{"framework's control sets replaced", second, func(tx store.Tx) error {
			f := *fw
			f.ControlSets = []probity.ControlSet{{Name: "Only", Controls: []string{c1.ID}}, {Name: "More", Controls: []string{c1.ID}}}
			f.Normalize()
			return tx.PutFrameworks(ctx, []*probity.Framework{&f})
		}, true, false},
		{"deleted framework", s, func(tx store.Tx) error { return tx.DeleteFrameworks(ctx, Account, []string{fw.ID}) }, true, false},
		{"another account's control", s, func(tx store.Tx) error {
			return tx.PutControls(ctx, []*probity.Control{inAccount(NewControl("theirs"), other)})
		}, false, true},
		{"standard control", second, func(tx store.Tx) error {
			c := inAccount(NewControl("standard"), "")
			c.Type = probity.ControlTypeStandard
			return tx.PutControls(ctx, []*probity.Control{c})
		}, true, true},
		{"rolled back", s, func(tx store.Tx) error {
			if err := tx.PutControls(ctx, []*probity.Control{NewControl("never")}); err != nil {
				return err
			}
			return errors.New("roll back")
		}, false, false},
		{"account settings", s, func(tx store.Tx) error { return tx.PutAccount(ctx, probity.NewAccount(Account)) }, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mine, theirs := rev(Account), rev(other)
			_ = tt.via.Update(ctx, store.LockLibrary, tt.write)
			if got := rev(Account) != mine; got != tt.mine {
				t.Errorf("%s's revision moved = %v, want %v", Account, got, tt.mine)
			}
			if got := rev(other) != theirs; got != tt.theirs {
				t.Errorf("%s's revision moved = %v, want %v", other, got, tt.theirs)
			}
			if rev(Account) < mine || rev(other) < theirs {
				t.Error("a revision went back")
			}
		})
	}
}
