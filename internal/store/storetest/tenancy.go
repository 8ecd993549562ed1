package storetest

import (
	"context"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// other is a second account, whose library must stay apart from Account's.
const other = "444455556666"

// inAccount moves c into the account, with an ARN of that account.
func inAccount(c *probity.Control, account string) *probity.Control {
	c.AccountID = account
	c.ARN = probity.DefaultPartition.In(account).ARN("control", c.ID)
	return c
}

// testAccountsAreApart checks that every library read and write stays within one
// account, that the standard library (no account) is seen by all, and that the same name
// may be used once in each account.
func testAccountsAreApart(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	mine := NewControl("same name")
	theirs := inAccount(NewControl("same name"), other)
	std := inAccount(NewControl("standard"), "")
	std.Type = probity.ControlTypeStandard
	Put(t, s, []*probity.Control{mine, theirs, std}, nil)
	fw := NewFramework("their framework", []*probity.Control{theirs, std})
	fw.AccountID = other
	Put(t, s, nil, []*probity.Framework{fw})

	if _, err := s.Control(ctx, Account, theirs.ID); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Errorf("Control of another account's id = %v, want ENOTFOUND", err)
	}
	if _, err := s.Framework(ctx, Account, fw.ID); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Errorf("Framework of another account's id = %v, want ENOTFOUND", err)
	}
	for _, acct := range []string{Account, other} {
		if _, err := s.Control(ctx, acct, std.ID); err != nil {
			t.Errorf("standard control not visible to %s: %v", acct, err)
		}
	}
	lib, err := s.Library(ctx, Account)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Controls) != 2 || len(lib.Frameworks) != 0 {
		t.Fatalf("Library(%s) = %d controls, %d frameworks; want its own control and the standard one, no framework", Account, len(lib.Controls), len(lib.Frameworks))
	}
	if lib.Controls[0].ID != mine.ID || lib.Controls[1].ID != std.ID {
		t.Fatalf("Library(%s) = %s %q, %s %q; want its own control, then the standard one (type, then name order)",
			Account, lib.Controls[0].Type, lib.Controls[0].Name, lib.Controls[1].Type, lib.Controls[1].Name)
	}
	lib, err = s.Library(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Frameworks) != 1 || len(lib.Frameworks[0].ControlSets[0].Controls) != 2 {
		t.Fatalf("Library(%s) frameworks = %+v, want its framework with both controls", other, lib.Frameworks)
	}
	if n, err := s.CountControls(ctx, Account, probity.ControlTypeCustom); err != nil || n != 1 {
		t.Errorf("CountControls(%s, Custom) = %d, %v; want 1", Account, n, err)
	}
	page, err := s.FrameworkSummaries(ctx, store.Page{Account: Account, Type: string(probity.FrameworkTypeCustom), Limit: 10})
	if err != nil || len(page) != 0 {
		t.Errorf("FrameworkSummaries(%s) = %v, %v; want none", Account, page, err)
	}

	// Writes cannot reach across: not by id, not by delete.
	hijack := *theirs
	hijack.AccountID, hijack.Name = Account, "hijacked"
	err = s.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutControls(ctx, []*probity.Control{&hijack}) })
	wantCode(t, err, probity.ECONFLICT)
	err = s.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.DeleteControls(ctx, Account, []string{theirs.ID}) })
	wantCode(t, err, probity.ENOTFOUND)
	err = s.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.DeleteFrameworks(ctx, Account, []string{fw.ID}) })
	wantCode(t, err, probity.ENOTFOUND)
	got, err := s.Control(ctx, other, theirs.ID)
	if err != nil || got.Name != "same name" || got.AccountID != other {
		t.Fatalf("after the attempts, their control is %+v, %v; want it unchanged", got, err)
	}

	// Notifications are the account's own.
	for _, acct := range []string{Account, other} {
		n := &probity.Notification{ID: probity.NewID(), Description: "for " + acct, EventTime: t0, Source: "s3://b", AccountID: acct}
		if err := write(s, func(tx store.Tx) error { return tx.AddNotification(ctx, n) }); err != nil {
			t.Fatal(err)
		}
	}
	notes, err := s.Notifications(ctx, Account, "", 10)
	if err != nil || len(notes) != 1 || notes[0].Description != "for "+Account {
		t.Fatalf("Notifications(%s) = %+v, %v; want only its own", Account, notes, err)
	}
}
