package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// NewCustomRule returns a custom rule of Account with the name, for tests.
func NewCustomRule(name string) *probity.CustomRule {
	return &probity.CustomRule{
		ID: probity.NewID(), AccountID: Account, Name: name,
		Description:   "description of " + name,
		ResourceTypes: []string{"AWS::S3::Bucket", "AWS::EC2::Volume"},
		Parameters:    []probity.RuleParameter{{Name: "maxAgeDays", Type: "int", Default: "90"}, {Name: "keys", Type: "csv", Required: true}},
		Applicable:    `resource.configurationItemStatus == "OK"`,
		Condition:     "has(resource.configuration.encrypted) &&\n  resource.configuration.encrypted",
		Annotation:    "not encrypted ✓",
		ManagedBy:     "files",
		CreatedAt:     t0, CreatedBy: "tester",
		LastUpdatedAt: t0.Add(time.Second), LastUpdatedBy: "tester",
	}
}

// testCustomRules checks custom rules: a round trip of every member, one library per
// account, names unique per account, deletes of the account's own only, and the library
// revision moving with every change.
func testCustomRules(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const other = "444455556666"
	a, b := NewCustomRule("b-rule"), NewCustomRule("a-rule")
	b.Parameters, b.Applicable, b.Annotation, b.Description = nil, "", "", ""
	theirs := NewCustomRule("a-rule")
	theirs.AccountID = other
	rev0, err := s.LibraryRevision(ctx, Account)
	if err != nil {
		t.Fatal(err)
	}
	if err := write(s, func(tx store.Tx) error { return tx.PutCustomRules(ctx, []*probity.CustomRule{a, b, theirs}) }); err != nil {
		t.Fatal(err)
	}
	if rev, err := s.LibraryRevision(ctx, Account); err != nil || rev == rev0 {
		t.Errorf("library revision %d (%v) after putting rules, was %d: want it moved", rev, err, rev0)
	}
	got, err := s.CustomRules(ctx, Account)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]probity.CustomRule{*b, *a}, got); diff != "" {
		t.Errorf("CustomRules (-want +got):\n%s", diff)
	}
	lib, err := s.Library(ctx, Account)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]probity.CustomRule{*b, *a}, lib.Rules); diff != "" {
		t.Errorf("Library.Rules (-want +got):\n%s", diff)
	}
	if got, _ := s.CustomRules(ctx, other); len(got) != 1 || got[0].ID != theirs.ID {
		t.Errorf("other account's rules = %+v, want only its own", got)
	}

	// Replace by id; a second rule of the same name in the account conflicts, and so
	// does taking over another account's id.
	a2 := *a
	a2.Condition, a2.LastUpdatedAt = "true", t0.Add(time.Hour)
	if err := write(s, func(tx store.Tx) error { return tx.PutCustomRules(ctx, []*probity.CustomRule{&a2}) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.CustomRules(ctx, Account); len(got) != 2 || got[1].Condition != "true" {
		t.Errorf("after replace: %+v", got)
	}
	dup := NewCustomRule("a-rule")
	wantCode(t, write(s, func(tx store.Tx) error { return tx.PutCustomRules(ctx, []*probity.CustomRule{dup}) }), probity.ECONFLICT)
	steal := *theirs
	steal.AccountID, steal.Name = Account, "stolen"
	wantCode(t, write(s, func(tx store.Tx) error { return tx.PutCustomRules(ctx, []*probity.CustomRule{&steal}) }), probity.ECONFLICT)

	// Deletes: only the account's own.
	wantCode(t, write(s, func(tx store.Tx) error { return tx.DeleteCustomRules(ctx, Account, []string{theirs.ID}) }), probity.ENOTFOUND)
	if err := write(s, func(tx store.Tx) error { return tx.DeleteCustomRules(ctx, Account, []string{a.ID, b.ID}) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.CustomRules(ctx, Account); len(got) != 0 {
		t.Errorf("after delete: %+v", got)
	}
	if got, _ := s.CustomRules(ctx, other); len(got) != 1 {
		t.Errorf("other account's rules after delete = %+v", got)
	}
}
