package library

import (
	"context"
	"slices"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// ControlInput is what a caller sets of a control.
type ControlInput struct {
	Name, Description, TestingInformation   string
	ActionPlanTitle, ActionPlanInstructions string
	ControlMappingSources                   []probity.ControlMappingSource
	// Domain is the control's domain (probity.Control.Domain); the API has no member
	// for it, so only copies set it.
	Domain string
	// Tags are set when the control is made; an update leaves them alone.
	Tags map[string]string
}

// CreateControl makes a custom control in the caller's library. It returns the domain's
// EINVALID error for an invalid control, ECONFLICT when the name is taken, and EQUOTA
// when the account's library is full.
func (s *Service) CreateControl(ctx context.Context, p auth.Principal, in ControlInput) (*probity.Control, error) {
	now := s.now()
	c := &probity.Control{
		ID: probity.NewID(), AccountID: p.AccountID, Type: probity.ControlTypeCustom, Name: in.Name,
		Description: in.Description, TestingInformation: in.TestingInformation, ActionPlanTitle: in.ActionPlanTitle,
		ActionPlanInstructions: in.ActionPlanInstructions, Domain: in.Domain, ControlMappingSources: in.ControlMappingSources, Tags: in.Tags,
		CreatedAt: now, CreatedBy: p.Name, LastUpdatedAt: now, LastUpdatedBy: p.Name,
	}
	for i := range c.ControlMappingSources {
		c.ControlMappingSources[i].SourceID = "" // a new control's sources get ids derived from it
	}
	c.ARN = s.Partition(p.AccountID).ARN("control", c.ID)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Normalize()
	err := s.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		if err := s.controlQuota(ctx, tx, p.AccountID, 1); err != nil {
			return err
		}
		return tx.PutControls(ctx, []*probity.Control{c})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// controlQuota returns an EQUOTA error when adding controls would take the account's
// custom library past MaxCustomControls.
func (s *Service) controlQuota(ctx context.Context, r store.Reader, account string, adding int) error {
	if s.MaxCustomControls <= 0 || adding == 0 {
		return nil
	}
	n, err := r.CountControls(ctx, account, probity.ControlTypeCustom)
	if err != nil {
		return err
	}
	return quota(account, "controls", n, adding, s.MaxCustomControls)
}

// frameworkQuota is controlQuota for frameworks and MaxCustomFrameworks.
func (s *Service) frameworkQuota(ctx context.Context, r store.Reader, account string, adding int) error {
	if s.MaxCustomFrameworks <= 0 || adding == 0 {
		return nil
	}
	n, err := r.CountFrameworks(ctx, account, probity.FrameworkTypeCustom)
	if err != nil {
		return err
	}
	return quota(account, "frameworks", n, adding, s.MaxCustomFrameworks)
}

func quota(account, kind string, n, adding, max int) error {
	if n+adding > max {
		return probity.Errorf(probity.EQUOTA, "The library of account %s holds %d custom %s; %d more would pass the %d this server allows.", account, n, kind, adding, max)
	}
	return nil
}

// Control returns the control with the id if the caller sees it, or ENOTFOUND.
func (s *Service) Control(ctx context.Context, p auth.Principal, id string) (*probity.Control, error) {
	c, err := s.Store.Control(ctx, p.AccountID, id)
	return c, asNotFound(err, "control", id)
}

// Controls returns a page of the controls of the type that the caller sees.
func (s *Service) Controls(ctx context.Context, p auth.Principal, page store.Page) ([]store.ControlSummary, error) {
	page.Account = p.AccountID
	return s.Store.ControlSummaries(ctx, page)
}

// UpdateControl replaces the members of the caller's control that in sets, keeping the
// ids of the data sources it sends or names (see probity.Control.KeepSourceIDs). It
// returns ENOTFOUND for a control the caller does not see, and EINVALID for one the API
// does not own (standard, or managed by a catalog source) or an invalid result.
func (s *Service) UpdateControl(ctx context.Context, p auth.Principal, id string, in ControlInput) (*probity.Control, error) {
	var out *probity.Control
	err := s.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		old, err := tx.Control(ctx, p.AccountID, id)
		if err != nil {
			return asNotFound(err, "control", id)
		}
		if err := old.CheckOwner(""); err != nil {
			return err
		}
		c := *old
		c.Name, c.Description, c.TestingInformation = in.Name, in.Description, in.TestingInformation
		c.ActionPlanTitle, c.ActionPlanInstructions = in.ActionPlanTitle, in.ActionPlanInstructions
		c.ControlMappingSources = slices.Clone(in.ControlMappingSources) // fn may run again: in stays as given
		c.LastUpdatedAt, c.LastUpdatedBy = s.now(), p.Name
		if err := c.Validate(); err != nil {
			return err
		}
		if err := c.KeepSourceIDs(old); err != nil {
			return err
		}
		c.Normalize()
		out = &c
		return tx.PutControls(ctx, []*probity.Control{&c})
	})
	return out, err
}

// DeleteControl deletes the caller's control. It returns ENOTFOUND for a control the
// caller does not see, and EINVALID when the API does not own it or a framework still
// uses it.
func (s *Service) DeleteControl(ctx context.Context, p auth.Principal, id string) error {
	return s.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		old, err := tx.Control(ctx, p.AccountID, id)
		if err != nil {
			return asNotFound(err, "control", id)
		}
		if err := old.CheckOwner(""); err != nil {
			return err
		}
		err = tx.DeleteControls(ctx, p.AccountID, []string{id})
		if probity.ErrorCode(err) == probity.ECONFLICT {
			return probity.Errorf(probity.EINVALID, "The control %s is used by a framework; remove it from the framework first.", id)
		}
		return err
	})
}
