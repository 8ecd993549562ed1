package assess

import (
	"context"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// Limits of the model's ControlCommentBody and DelegationComment.
const (
	maxCommentLength          = 500
	maxControlSetCommentChars = 350
)

func checkComment(name, body string, max int) error {
	reason := probity.CheckText(body, probity.FreeText)
	if reason == "" && utf8.RuneCountInString(body) > max {
		reason = "must be at most " + strconv.Itoa(max) + " characters"
	}
	if reason != "" {
		return &probity.Error{Code: probity.EINVALID, Message: "invalid " + name, Fields: []probity.FieldError{{Name: name, Message: reason}}}
	}
	return nil
}

// UpdateControl reviews a control of the caller's assessment: sets its status when
// status is not empty, and adds a comment, by the caller at now, when comment is not
// empty. The assessment's PROCESS_OWNERs, admins and the delegates of the control set may
// do it. It returns ENOTFOUND for an assessment, control set or control that does not
// exist, EUNAUTHORIZED for anyone else, and EINVALID for an INACTIVE assessment, a status
// that is not one of probity.ControlStatuses or a comment that is too long.
func (s *Service) UpdateControl(ctx context.Context, p auth.Principal, id, setID, controlID string, status probity.ControlStatus, comment string) (*probity.AssessmentControl, error) {
	if status != "" && !contains(probity.ControlStatuses, status) {
		return nil, &probity.Error{Code: probity.EINVALID, Message: "invalid control status",
			Fields: []probity.FieldError{{Name: "controlStatus", Message: "must be one of UNDER_REVIEW, REVIEWED, INACTIVE"}}}
	}
	if err := checkComment("commentBody", comment, maxCommentLength); err != nil {
		return nil, err
	}
	var out probity.AssessmentControl
	a, err := s.change(ctx, p, id, probity.ReviewControl, setID, "", func(tx store.Tx, a *probity.Assessment, c *changes) error {
		set := a.ControlSet(setID)
		if set == nil {
			return probity.NotFound("controlSet", setID)
		}
		ctl := set.Control(controlID)
		if ctl == nil {
			return probity.NotFound("control", controlID)
		}
		if err := a.CheckActive(); err != nil {
			return err
		}
		if status != "" && status != ctl.Status {
			ctl.Status = status
			c.add(probity.ChangeControl, ctl.Name, probity.ChangeAction(status), setID, controlID)
		}
		if comment != "" {
			ctl.Comments = append(ctl.Comments, probity.ControlComment{AuthorName: p.Name, Body: comment, PostedAt: c.at})
			c.add(probity.ChangeControl, ctl.Name, probity.ActionUpdateMetadata, setID, controlID)
		}
		a.LastUpdatedAt = c.at
		out = *ctl
		return nil
	})
	if err == nil {
		out = *a.ControlSet(setID).Control(controlID) // with its evidence counters
	}
	return &out, err
}

// UpdateControlSetStatus sets the status of a control set of the caller's assessment,
// with a comment. A delegate of the set may only submit it (UNDER_REVIEW), which moves
// its delegations of the set to UNDER_REVIEW; a PROCESS_OWNER or an admin may set any
// status, and REVIEWED completes the set's delegations. Each delegation that moves gets a
// change log entry and notifications for its delegate and the process owners. It returns the assessment as
// changed, and ENOTFOUND, EUNAUTHORIZED and EINVALID as UpdateControl does.
func (s *Service) UpdateControlSetStatus(ctx context.Context, p auth.Principal, id, setID string, status probity.ControlSetStatus, comment string) (*probity.Assessment, error) {
	if !contains(probity.ControlSetStatuses, status) {
		return nil, &probity.Error{Code: probity.EINVALID, Message: "invalid control set status",
			Fields: []probity.FieldError{{Name: "status", Message: "must be one of ACTIVE, UNDER_REVIEW, REVIEWED"}}}
	}
	if err := checkComment("comment", comment, maxControlSetCommentChars); err != nil {
		return nil, err
	}
	var out outbox
	a, err := s.change(ctx, p, id, probity.SetControlSetStatus, setID, status, func(tx store.Tx, a *probity.Assessment, c *changes) error {
		out = outbox{} // fn may run again
		set := a.ControlSet(setID)
		if set == nil {
			return probity.NotFound("controlSet", setID)
		}
		if err := a.CheckActive(); err != nil {
			return err
		}
		set.Status, a.LastUpdatedAt = status, c.at
		c.add(probity.ChangeControlSet, set.Name, probity.ChangeAction(status), setID, "")
		var moved []probity.Delegation
		var events []event
		for i := range a.Delegations {
			d := &a.Delegations[i]
			if d.ControlSetID != setID || !d.Open() {
				continue
			}
			switch {
			case status == probity.ControlSetUnderReview && d.RoleARN == p.ARN:
				d.Status = probity.DelegationUnderReview
				c.add(probity.ChangeDelegation, set.Name, probity.ActionUnderReview, setID, "")
				events = append(events, event{set: set, delegate: d.RoleARN, text: fmt.Sprintf(
					"%s submitted control set %s of assessment %s for review.", d.RoleARN, set.Name, a.Name)})
			case status == probity.ControlSetReviewed:
				d.Status = probity.DelegationComplete
				c.add(probity.ChangeDelegation, set.Name, probity.ActionReviewed, setID, "")
				events = append(events, event{set: set, delegate: d.RoleARN, text: fmt.Sprintf(
					"%s completed the review of control set %s of assessment %s, delegated to %s.", p.ARN, set.Name, a.Name, d.RoleARN)})
			default:
				continue
			}
			d.LastUpdatedAt = c.at
			if comment != "" {
				d.Comment = comment
			}
			moved = append(moved, *d)
		}
		if len(moved) == 0 {
			return nil
		}
		if err := tx.PutDelegations(ctx, moved); err != nil {
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
	return a, nil
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// ChangeLogs returns up to limit entries of the change log of the caller's assessment
// after the cursor, oldest first; only those about the control set, or the control, when
// given. It returns ENOTFOUND for an assessment the caller does not see.
func (s *Service) ChangeLogs(ctx context.Context, p auth.Principal, id, setID, controlID string, after store.Cursor, limit int) ([]probity.ChangeLog, error) {
	var out []probity.ChangeLog
	err := s.Store.View(ctx, func(r store.Reader) error {
		if _, err := r.Assessment(ctx, p.AccountID, id); err != nil {
			return asNotFound(err, id)
		}
		var err error
		out, err = r.ChangeLogs(ctx, store.ChangeLogQuery{Account: p.AccountID, AssessmentID: id, ControlSetID: setID,
			ControlID: controlID, After: after, Limit: limit})
		return err
	})
	return out, err
}
