package assess

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// Input is what a caller sets when it creates an assessment.
type Input struct {
	Name, Description  string
	ReportsDestination probity.Destination
	Scope              probity.Scope
	Roles              []probity.Role
	FrameworkID        string
	Tags               map[string]string
}

// Create makes an assessment of the caller's account from the framework's control sets
// and controls as they are now (a snapshot: later changes to them do not reach it). It
// returns the domain's EINVALID error for invalid members, and ENOTFOUND for a framework
// or control the caller does not see.
func (s *Service) Create(ctx context.Context, p auth.Principal, in Input) (*probity.Assessment, error) {
	now := s.now()
	a := &probity.Assessment{
		ID: probity.NewID(), AccountID: p.AccountID, Name: in.Name, Description: in.Description, Status: probity.AssessmentActive,
		ReportsDestination: in.ReportsDestination, Scope: in.Scope, Roles: in.Roles, Tags: in.Tags,
		CreatedAt: now, LastUpdatedAt: now,
	}
	a.ARN = s.partition(p.AccountID).ARN("assessment", a.ID)
	if len(a.Tags) == 0 {
		a.Tags = nil
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if !probity.IsUUID(in.FrameworkID) {
		return nil, &probity.Error{Code: probity.EINVALID, Message: "invalid assessment",
			Fields: []probity.FieldError{{Name: "frameworkId", Message: "must be a UUID such as 0123abcd-0123-4567-89ab-0123456789ab"}}}
	}
	err := s.Store.Update(ctx, store.LockAssessments, func(tx store.Tx) error {
		f, sets, err := snapshot(ctx, tx, p.AccountID, in.FrameworkID)
		if err != nil {
			return err
		}
		a.Framework, a.ControlSets = frameworkRef(f), sets
		if err := tx.CreateAssessment(ctx, a); err != nil {
			return err
		}
		c := &changes{a: a, p: p, at: now}
		c.add(probity.ChangeAssessment, a.Name, probity.ActionCreate, "", "")
		return c.save(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// snapshot reads the framework and its controls as the account sees them now, and
// returns the framework with its control sets as an assessment holds them.
func snapshot(ctx context.Context, r store.Reader, account, frameworkID string) (*probity.Framework, []probity.AssessmentControlSet, error) {
	f, err := r.Framework(ctx, account, frameworkID)
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return nil, nil, probity.NotFound("assessmentFramework", frameworkID)
	} else if err != nil {
		return nil, nil, err
	}
	controls := map[string]*probity.Control{}
	for _, cs := range f.ControlSets {
		for _, id := range cs.Controls {
			if controls[id] != nil {
				continue
			}
			c, err := r.Control(ctx, account, id)
			if probity.ErrorCode(err) == probity.ENOTFOUND {
				return nil, nil, probity.NotFound("control", id)
			} else if err != nil {
				return nil, nil, err
			}
			controls[id] = c
		}
	}
	return f, probity.Snapshot(f, controls), nil
}

func frameworkRef(f *probity.Framework) probity.AssessmentFrameworkRef {
	return probity.AssessmentFrameworkRef{ID: f.ID, ARN: f.ARN, Name: f.Name, Description: f.Description, Logo: f.Logo,
		ComplianceType: f.ComplianceType}
}

// Get returns the caller's assessment with the id, with its delegations and its evidence
// counters; ENOTFOUND otherwise.
func (s *Service) Get(ctx context.Context, p auth.Principal, id string) (*probity.Assessment, error) {
	a, err := s.get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.countEvidence(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// get is Get without the evidence counters.
func (s *Service) get(ctx context.Context, p auth.Principal, id string) (*probity.Assessment, error) {
	a, err := s.Store.Assessment(ctx, p.AccountID, id)
	return a, asNotFound(err, id)
}

// List returns up to limit of the caller's assessments after the cursor, oldest first;
// only those of the status when it is set.
func (s *Service) List(ctx context.Context, p auth.Principal, status probity.AssessmentStatus, after store.Cursor, limit int) ([]probity.Assessment, error) {
	return s.Store.Assessments(ctx, store.AssessmentQuery{Account: p.AccountID, Status: status, After: after, Limit: limit})
}

// UpdateInput is what UpdateAssessment changes. Nil members are left as they are; Scope
// is always replaced.
type UpdateInput struct {
	Name, Description  *string
	Scope              probity.Scope
	ReportsDestination *probity.Destination
	Roles              []probity.Role
	// SyncFramework also brings the snapshot up to the framework's current version (see
	// Sync).
	SyncFramework bool
}

// Update changes the caller's assessment. It returns ENOTFOUND, EUNAUTHORIZED unless the
// caller is a PROCESS_OWNER or an admin, and EINVALID for an INACTIVE assessment or an
// invalid result.
func (s *Service) Update(ctx context.Context, p auth.Principal, id string, in UpdateInput) (*probity.Assessment, error) {
	return s.change(ctx, p, id, probity.ChangeAssessmentSettings, "", "", func(tx store.Tx, a *probity.Assessment, c *changes) error {
		if err := a.CheckActive(); err != nil {
			return err
		}
		if in.Name != nil {
			a.Name = *in.Name
		}
		if in.Description != nil {
			a.Description = *in.Description
		}
		if in.ReportsDestination != nil {
			a.ReportsDestination = *in.ReportsDestination
		}
		if in.Roles != nil {
			a.Roles = in.Roles
		}
		a.Scope, a.LastUpdatedAt = in.Scope, c.at
		if err := a.Validate(); err != nil {
			return err
		}
		c.add(probity.ChangeAssessment, a.Name, probity.ActionUpdateMetadata, "", "")
		if in.SyncFramework {
			return s.sync(ctx, tx, a, c)
		}
		return nil
	})
}

// Sync brings the caller's assessment up to its framework's current version, keeping the
// review state of unchanged controls (see probity.Assessment.Sync), and records it in the
// change log. It is Probity's own: Audit Manager has users recreate the assessment. It
// returns what Update does, and ENOTFOUND when the framework no longer exists.
func (s *Service) Sync(ctx context.Context, p auth.Principal, id string) (*probity.Assessment, error) {
	return s.change(ctx, p, id, probity.ChangeAssessmentSettings, "", "", func(tx store.Tx, a *probity.Assessment, c *changes) error {
		if err := a.CheckActive(); err != nil {
			return err
		}
		return s.sync(ctx, tx, a, c)
	})
}

func (s *Service) sync(ctx context.Context, tx store.Tx, a *probity.Assessment, c *changes) error {
	f, sets, err := snapshot(ctx, tx, a.AccountID, a.Framework.ID)
	if err != nil {
		return err
	}
	changed, added, removed := a.Sync(sets)
	a.Framework, a.LastUpdatedAt = frameworkRef(f), c.at
	c.add(probity.ChangeAssessment, fmt.Sprintf("%s (framework sync: %d controls changed, %d added, %d removed)",
		a.Name, changed, added, removed), probity.ActionUpdateMetadata, "", "")
	return nil
}

// UpdateStatus sets the caller's assessment ACTIVE or INACTIVE. INACTIVE is final: it
// stops collection and marks every control set REVIEWED, and an INACTIVE assessment
// cannot be made ACTIVE again (EINVALID). Setting the status it has changes nothing. It
// returns ENOTFOUND and EUNAUTHORIZED as Update does, and EINVALID for another status.
func (s *Service) UpdateStatus(ctx context.Context, p auth.Principal, id string, status probity.AssessmentStatus) (*probity.Assessment, error) {
	changed := false
	a, err := s.change(ctx, p, id, probity.ChangeAssessmentSettings, "", "", func(tx store.Tx, a *probity.Assessment, c *changes) error {
		switch {
		case status == probity.AssessmentInactive:
			if err := a.Deactivate(c.at); err != nil {
				return err
			}
			c.add(probity.ChangeAssessment, a.Name, probity.ActionInactive, "", "")
			changed = true
		case status == probity.AssessmentActive:
			return a.CheckActive() // ACTIVE already, or final
		default:
			return &probity.Error{Code: probity.EINVALID, Message: "invalid status",
				Fields: []probity.FieldError{{Name: "status", Message: "must be one of ACTIVE, INACTIVE"}}}
		}
		return nil
	})
	if err == nil && changed {
		s.statusChanged(ctx, a)
	}
	return a, err
}

// Delete deletes the caller's assessment with its delegations and change log. It returns
// ENOTFOUND, and EUNAUTHORIZED unless the caller is a PROCESS_OWNER or an admin.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id string) error {
	return s.Store.Update(ctx, store.LockAssessments, func(tx store.Tx) error {
		a, err := tx.Assessment(ctx, p.AccountID, id)
		if err != nil {
			return asNotFound(err, id)
		}
		if err := a.Authorize(actor(p), probity.DeleteTheAssessment, "", ""); err != nil {
			return err
		}
		return tx.DeleteAssessment(ctx, p.AccountID, id)
	})
}

// IsAssessmentARN reports whether the ARN names an assessment
// (arn:PARTITION:auditmanager:REGION:ACCOUNT:assessment/ID), whose tags this Service
// keeps.
func IsAssessmentARN(arn string) bool {
	res := arn[strings.LastIndexByte(arn, ':')+1:]
	return strings.HasPrefix(res, "assessment/")
}

// byARN returns the id of the assessment the ARN names, or ENOTFOUND.
func byARN(arn string) (string, error) {
	id := arn[strings.LastIndexByte(arn, '/')+1:]
	if !IsAssessmentARN(arn) || !probity.IsUUID(id) {
		return "", probity.NotFound("resource", arn)
	}
	return id, nil
}

// Tags returns the tags of the caller's assessment the ARN names; ENOTFOUND otherwise.
func (s *Service) Tags(ctx context.Context, p auth.Principal, arn string) (map[string]string, error) {
	id, err := byARN(arn)
	if err != nil {
		return nil, err
	}
	a, err := s.Store.Assessment(ctx, p.AccountID, id)
	if probity.ErrorCode(err) == probity.ENOTFOUND || (err == nil && a.ARN != arn) {
		return nil, probity.NotFound("resource", arn)
	}
	if err != nil {
		return nil, err
	}
	return a.Tags, nil
}

// Retag changes the tags of the caller's assessment the ARN names with edit (given a
// copy of the current ones). It returns ENOTFOUND, EUNAUTHORIZED as Update does, and
// EINVALID for too many or malformed tags.
func (s *Service) Retag(ctx context.Context, p auth.Principal, arn string, edit func(map[string]string) map[string]string) error {
	if _, err := s.Tags(ctx, p, arn); err != nil {
		return err
	}
	id, _ := byARN(arn)
	_, err := s.change(ctx, p, id, probity.ChangeAssessmentSettings, "", "", func(tx store.Tx, a *probity.Assessment, c *changes) error {
		a.Tags = edit(maps.Clone(a.Tags))
		if len(a.Tags) == 0 {
			a.Tags = nil
		}
		if err := a.Validate(); err != nil {
			return err
		}
		c.add(probity.ChangeAssessment, a.Name, probity.ActionUpdateMetadata, "", "")
		return nil
	})
	return err
}
