package sqlstore_test

import (
	"context"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/sqlstore"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// TestAssessmentAccessDecodesABodyOnce checks that AssessmentAccess decodes an unchanged
// body once however often it is read, that any change to the assessment is seen by the
// next read (the remembered decoding is of the old bytes only), and that changing what a
// read returned does not change what the next one returns.
func TestAssessmentAccessDecodesABodyOnce(t *testing.T) {
	backends(t, func(t *testing.T, s *sqlstore.DB) {
		ctx := context.Background()
		a := storetest.NewAssessment("memo", storetest.NewControl("c"))
		if err := s.Update(ctx, store.LockAssessments, func(tx store.Tx) error { return tx.CreateAssessment(ctx, a) }); err != nil {
			t.Fatal(err)
		}
		read := func() *probity.Assessment {
			t.Helper()
			got, err := s.AssessmentAccess(ctx, storetest.Account, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		before := s.AccessDecodes()
		first := read()
		first.Roles[0].ARN, first.ControlSets[0].ID = "changed by the caller", "changed by the caller"
		for range 3 {
			if got := read(); got.Roles[0].ARN != a.Roles[0].ARN || got.ControlSets[0].ID != a.ControlSets[0].ID {
				t.Fatalf("read after the caller changed an earlier result: roles %+v, set %s", got.Roles, got.ControlSets[0].ID)
			}
		}
		if n := s.AccessDecodes() - before; n != 1 {
			t.Errorf("4 reads of an unchanged body decoded it %d times, want 1", n)
		}
		for _, change := range []func(*probity.Assessment){
			func(a *probity.Assessment) { a.Roles[0].ARN = "arn:aws:iam::111122223333:role/Successor" },
			func(a *probity.Assessment) {
				a.Roles = append(a.Roles, probity.Role{Type: probity.RoleProcessOwner, ARN: "arn:aws:iam::111122223333:role/Second"})
			},
			func(a *probity.Assessment) { a.ControlSets[0].Controls[0].Comments = nil }, // outside the access part: a new body all the same
		} {
			change(a)
			if err := s.Update(ctx, store.LockAssessments, func(tx store.Tx) error { return tx.PutAssessment(ctx, a) }); err != nil {
				t.Fatal(err)
			}
			decodes := s.AccessDecodes()
			got := read()
			if len(got.Roles) != len(a.Roles) || got.Roles[len(a.Roles)-1] != a.Roles[len(a.Roles)-1] {
				t.Errorf("after a change, roles %+v, want %+v", got.Roles, a.Roles)
			}
			if s.AccessDecodes() != decodes+1 {
				t.Errorf("a changed body was not decoded again")
			}
		}
	})
}
