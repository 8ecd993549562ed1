package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// NewFindingMapping returns a finding mapping of Account with the name, for tests.
func NewFindingMapping(name string) *probity.FindingMapping {
	return &probity.FindingMapping{
		ID: probity.NewID(), AccountID: Account, Name: name,
		Description: "description of " + name + " ✓",
		Rules: []probity.MappingRule{
			{Provider: "prowler", CheckID: "iam_*", Controls: []string{"Identity", "Access ✓"}},
			{ResourceType: "AwsCloudTrailTrail", Controls: []string{"Logging"}},
		},
		ManagedBy: "files",
		CreatedAt: t0, CreatedBy: "tester",
		LastUpdatedAt: t0.Add(time.Second), LastUpdatedBy: "tester",
	}
}

// testFindingMappings checks finding mappings: a round trip of every member, one library
// per account, names unique per account, deletes of the account's own only, and the
// library revision moving with every change.
func testFindingMappings(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const other = "444455556666"
	a, b := NewFindingMapping("b-map"), NewFindingMapping("a-map")
	b.Description, b.Rules = "", b.Rules[1:]
	theirs := NewFindingMapping("a-map")
	theirs.AccountID = other
	rev0, err := s.LibraryRevision(ctx, Account)
	if err != nil {
		t.Fatal(err)
	}
	if err := write(s, func(tx store.Tx) error {
		return tx.PutFindingMappings(ctx, []*probity.FindingMapping{a, b, theirs})
	}); err != nil {
		t.Fatal(err)
	}
	rev1, err := s.LibraryRevision(ctx, Account)
	if err != nil || rev1 == rev0 {
		t.Errorf("library revision %d (%v) after putting mappings, was %d: want it moved", rev1, err, rev0)
	}
	got, err := s.FindingMappings(ctx, Account)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]probity.FindingMapping{*b, *a}, got); diff != "" {
		t.Errorf("FindingMappings (-want +got):\n%s", diff)
	}
	lib, err := s.Library(ctx, Account)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]probity.FindingMapping{*b, *a}, lib.Mappings); diff != "" {
		t.Errorf("Library.Mappings (-want +got):\n%s", diff)
	}
	if got, _ := s.FindingMappings(ctx, other); len(got) != 1 || got[0].ID != theirs.ID {
		t.Errorf("other account's mappings = %+v, want only its own", got)
	}

	// Replace by id; a second mapping of the same name in the account conflicts, and so
	// does taking over another account's id.
	a2 := *a
	a2.Rules = []probity.MappingRule{{CheckID: "x", Controls: []string{"y"}}}
	if err := write(s, func(tx store.Tx) error { return tx.PutFindingMappings(ctx, []*probity.FindingMapping{&a2}) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindingMappings(ctx, Account); len(got) != 2 || len(got[1].Rules) != 1 || got[1].Rules[0].CheckID != "x" {
		t.Errorf("after replace: %+v", got)
	}
	if rev, _ := s.LibraryRevision(ctx, Account); rev == rev1 {
		t.Errorf("library revision did not move on replacing a mapping")
	}
	dup := NewFindingMapping("a-map")
	wantCode(t, write(s, func(tx store.Tx) error { return tx.PutFindingMappings(ctx, []*probity.FindingMapping{dup}) }), probity.ECONFLICT)
	steal := *theirs
	steal.AccountID, steal.Name = Account, "stolen"
	wantCode(t, write(s, func(tx store.Tx) error { return tx.PutFindingMappings(ctx, []*probity.FindingMapping{&steal}) }), probity.ECONFLICT)

	// Deletes: only the account's own.
	wantCode(t, write(s, func(tx store.Tx) error { return tx.DeleteFindingMappings(ctx, Account, []string{theirs.ID}) }), probity.ENOTFOUND)
	if err := write(s, func(tx store.Tx) error { return tx.DeleteFindingMappings(ctx, Account, []string{a.ID, b.ID}) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindingMappings(ctx, Account); len(got) != 0 {
		t.Errorf("after delete: %+v", got)
	}
	if got, _ := s.FindingMappings(ctx, other); len(got) != 1 {
		t.Errorf("other account's mappings after delete = %+v", got)
	}
}
