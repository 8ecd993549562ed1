package storetest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// testAssessmentAccess checks that AssessmentAccess reads what Assessment reads of the
// members deciding access (id, account, name, status, roles, control set and control
// ids, delegations) and nothing else, for assessments of one and of several control sets,
// with and without delegations, and that another account's or a missing assessment
// answers ENOTFOUND.
func testAssessmentAccess(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	c1, c2, c3 := NewControl("c1"), NewControl("c2"), NewControl("c3")
	single := NewAssessment("single", c1)
	several := NewAssessment("several", c1)
	fw := NewFramework("two sets", []*probity.Control{c1, c2}, []*probity.Control{c3, c1})
	several.ControlSets = probity.Snapshot(fw, map[string]*probity.Control{c1.ID: c1, c2.ID: c2, c3.ID: c3})
	several.Roles = append(several.Roles, probity.Role{Type: probity.RoleProcessOwner, ARN: "arn:aws:iam::111122223333:role/Second"})
	several.Status = probity.AssessmentInactive
	var delegations []probity.Delegation
	for i, set := range several.ControlSets {
		delegations = append(delegations, probity.Delegation{ID: probity.NewID(), AccountID: Account, AssessmentID: several.ID,
			ControlSetID: set.ID, RoleARN: "arn:aws:iam::111122223333:role/Delegate", RoleType: probity.RoleResourceOwner,
			Status: []probity.DelegationStatus{probity.DelegationInProgress, probity.DelegationComplete}[i%2], CreatedBy: "owner",
			CreatedAt: t0, LastUpdatedAt: t0})
	}
	err := updateAssessments(s, func(tx store.Tx) error {
		for _, a := range []*probity.Assessment{single, several} {
			if err := tx.CreateAssessment(ctx, a); err != nil {
				return err
			}
		}
		return tx.PutDelegations(ctx, delegations)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*probity.Assessment{single, several} {
		full, err := s.Assessment(ctx, Account, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := &probity.Assessment{ID: full.ID, AccountID: full.AccountID, Name: full.Name, Status: full.Status,
			Roles: full.Roles, Delegations: full.Delegations}
		for _, set := range full.ControlSets {
			ids := probity.AssessmentControlSet{ID: set.ID}
			for _, c := range set.Controls {
				ids.Controls = append(ids.Controls, probity.AssessmentControl{ID: c.ID})
			}
			want.ControlSets = append(want.ControlSets, ids)
		}
		got, err := s.AssessmentAccess(ctx, Account, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("AssessmentAccess of %s (-want +got):\n%s", a.Name, diff)
		}
	}
	if len(several.ControlSets) != 2 || len(several.ControlSets[1].Controls) != 2 {
		t.Fatalf("the assessment of several sets has %+v", several.ControlSets)
	}
	for _, read := range []struct{ account, id string }{{other, several.ID}, {Account, probity.NewID()}} {
		if _, err := s.AssessmentAccess(ctx, read.account, read.id); probity.ErrorCode(err) != probity.ENOTFOUND {
			t.Errorf("AssessmentAccess(%s, %s) = %v, want ENOTFOUND", read.account, read.id, err)
		}
	}
}
