package assess

import (
	"context"
	"fmt"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// MaxDelegationBatch is the model's limit on the delegations one batch creates or deletes.
const MaxDelegationBatch = 50

// DelegationInput is one delegation a caller asks for.
type DelegationInput struct {
	ControlSetID string
	RoleARN      string
	RoleType     probity.RoleType
	Comment      string
}

// Failure is one item of a batch that was not done: its index in the batch and why (an
// EINVALID, ENOTFOUND or ECONFLICT *probity.Error).
type Failure struct {
	Index int
	Err   error
}

// CreateDelegations delegates control sets of the caller's assessment, each to an IAM
// role or user of its account, as a RESOURCE_OWNER who may review the set's controls and
// submit the set (see probity.Assessment.Authorize). Only the assessment's PROCESS_OWNERs
// and admins may delegate. Each item stands alone: the ones that break a rule come back
// as Failures (EINVALID for invalid members, ENOTFOUND for a control set the assessment
// does not have, ECONFLICT for a set already delegated to the identity and not yet
// complete) while the others are made, each with a change log entry and notifications for
// the delegate and the process owners. The whole call fails with ENOTFOUND for an
// assessment the caller does not see, EUNAUTHORIZED for a caller who may not delegate,
// and EINVALID for an INACTIVE assessment or a batch of no items or more than
// MaxDelegationBatch.
func (s *Service) CreateDelegations(ctx context.Context, p auth.Principal, id string, in []DelegationInput) ([]probity.Delegation, []Failure, error) {
	if err := checkBatch("createDelegationRequests", len(in)); err != nil {
		return nil, nil, err
	}
	var made []probity.Delegation
	var failed []Failure
	var events []event
	var out outbox
	_, err := s.change(ctx, p, id, probity.Delegate, "", "", func(tx store.Tx, a *probity.Assessment, c *changes) error {
		if err := a.CheckActive(); err != nil {
			return err
		}
		made, failed, events, out = nil, nil, nil, outbox{} // fn may run again
		for i, item := range in {
			d := probity.Delegation{ID: probity.NewID(), AccountID: a.AccountID, AssessmentID: a.ID, AssessmentName: a.Name,
				ControlSetID: item.ControlSetID, RoleARN: item.RoleARN, RoleType: item.RoleType, Status: probity.DelegationInProgress,
				Comment: item.Comment, CreatedBy: p.ARN, CreatedAt: c.at, LastUpdatedAt: c.at}
			if err := delegable(a, &d); err != nil {
				failed = append(failed, Failure{Index: i, Err: err})
				continue
			}
			set := a.ControlSet(d.ControlSetID)
			a.Delegations = append(a.Delegations, d)
			made = append(made, d)
			c.add(probity.ChangeDelegation, set.Name, probity.ActionCreate, set.ID, "")
			events = append(events, event{set: set, delegate: d.RoleARN, text: fmt.Sprintf(
				"Control set %s of assessment %s was delegated to %s for review by %s.", set.Name, a.Name, d.RoleARN, p.ARN)})
		}
		if len(made) == 0 {
			return nil
		}
		a.LastUpdatedAt = c.at
		if err := tx.PutDelegations(ctx, made); err != nil {
			return err
		}
		var err error
		out, err = s.tell(ctx, tx, a, c.at, events)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	s.publish(out)
	return made, failed, nil
}

// delegable returns why d cannot be made on a, or nil.
func delegable(a *probity.Assessment, d *probity.Delegation) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if a.ControlSet(d.ControlSetID) == nil {
		return probity.NotFound("controlSet", d.ControlSetID)
	}
	for _, o := range a.Delegations {
		if o.ControlSetID == d.ControlSetID && o.RoleARN == d.RoleARN && o.Open() {
			return probity.Errorf(probity.ECONFLICT, "Control set %s is already delegated to %s (delegation %s, %s).",
				d.ControlSetID, d.RoleARN, o.ID, o.Status)
		}
	}
	return nil
}

func checkBatch(name string, n int) error {
	if n < 1 || n > MaxDelegationBatch {
		return &probity.Error{Code: probity.EINVALID, Message: "invalid batch",
			Fields: []probity.FieldError{{Name: name, Message: fmt.Sprintf("must have 1 to %d items, got %d", MaxDelegationBatch, n)}}}
	}
	return nil
}

// DeleteDelegations deletes delegations of the caller's assessment by id, which takes
// the delegates' rights on their control sets away. Each id stands alone: an id that is
// not a UUID (EINVALID) or not a delegation of the assessment (ENOTFOUND) comes back as a
// Failure, the others are deleted, each with a change log entry and notifications. The
// whole call fails as CreateDelegations does.
func (s *Service) DeleteDelegations(ctx context.Context, p auth.Principal, id string, ids []string) ([]Failure, error) {
	if err := checkBatch("delegationIds", len(ids)); err != nil {
		return nil, err
	}
	var failed []Failure
	var events []event
	var out outbox
	_, err := s.change(ctx, p, id, probity.Delegate, "", "", func(tx store.Tx, a *probity.Assessment, c *changes) error {
		if err := a.CheckActive(); err != nil {
			return err
		}
		failed, events, out = nil, nil, outbox{} // fn may run again
		var gone []string
		for i, did := range ids {
			if !probity.IsUUID(did) {
				failed = append(failed, Failure{Index: i, Err: &probity.Error{Code: probity.EINVALID, Message: "invalid delegation id",
					Fields: []probity.FieldError{{Name: "delegationId", Message: "must be a UUID"}}}})
				continue
			}
			k := -1
			for j := range a.Delegations {
				if a.Delegations[j].ID == did {
					k = j
				}
			}
			if k < 0 {
				failed = append(failed, Failure{Index: i, Err: probity.NotFound("delegation", did)})
				continue
			}
			d := a.Delegations[k]
			a.Delegations = append(a.Delegations[:k], a.Delegations[k+1:]...)
			gone = append(gone, d.ID)
			set := a.ControlSet(d.ControlSetID)
			if set == nil { // the set left the assessment with a framework sync
				set = &probity.AssessmentControlSet{ID: d.ControlSetID, Name: d.ControlSetID}
			}
			c.add(probity.ChangeDelegation, set.Name, probity.ActionDelete, set.ID, "")
			events = append(events, event{set: set, delegate: d.RoleARN, text: fmt.Sprintf(
				"The delegation of control set %s of assessment %s to %s was deleted by %s.", set.Name, a.Name, d.RoleARN, p.ARN)})
		}
		if len(gone) == 0 {
			return nil
		}
		a.LastUpdatedAt = c.at
		if err := tx.DeleteDelegations(ctx, a.AccountID, a.ID, gone); err != nil {
			return err
		}
		var err error
		out, err = s.tell(ctx, tx, a, c.at, events)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.publish(out)
	return failed, nil
}

// DelegationsTo returns up to limit of the delegations to the caller's identity ARN in
// its account after the cursor, oldest first, open or complete, each with its
// assessment's name and its control set's name.
func (s *Service) DelegationsTo(ctx context.Context, p auth.Principal, after store.Cursor, limit int) ([]probity.Delegation, error) {
	if p.ARN == "" {
		return nil, nil
	}
	var out []probity.Delegation
	err := s.Store.View(ctx, func(r store.Reader) error {
		var err error
		out, err = r.DelegationsTo(ctx, store.DelegationQuery{Account: p.AccountID, RoleARN: p.ARN, After: after, Limit: limit})
		if err != nil {
			return err
		}
		names := map[string]map[string]string{}
		for i := range out {
			d := &out[i]
			if names[d.AssessmentID] == nil {
				a, err := r.Assessment(ctx, p.AccountID, d.AssessmentID)
				if err != nil {
					return err
				}
				names[d.AssessmentID] = map[string]string{}
				for _, set := range a.ControlSets {
					names[d.AssessmentID][set.ID] = set.Name
				}
			}
			d.ControlSetName = names[d.AssessmentID][d.ControlSetID]
			if d.ControlSetName == "" {
				d.ControlSetName = d.ControlSetID
			}
		}
		return nil
	})
	return out, err
}
