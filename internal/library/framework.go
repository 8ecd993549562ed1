package library

import (
	"context"
	"slices"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// FrameworkInput is what a caller sets of a framework.
type FrameworkInput struct {
	Name, Description, ComplianceType string
	// ControlSets list control ids; their ids are kept on update (see
	// probity.Framework.KeepControlSetIDs) and derived on create.
	ControlSets []probity.ControlSet
	// Tags are set when the framework is made; an update leaves them alone.
	Tags map[string]string
}

// FrameworkView is a framework with every control it uses, read at one moment.
type FrameworkView struct {
	Framework *probity.Framework
	Controls  map[string]*probity.Control // by id
}

// CreateFramework makes a custom framework in the caller's library. It returns the
// domain's EINVALID error for an invalid framework, ENOTFOUND for a control the caller
// does not see, ECONFLICT when the name is taken, and EQUOTA when the library is full.
func (s *Service) CreateFramework(ctx context.Context, p auth.Principal, in FrameworkInput) (*FrameworkView, error) {
	now := s.now()
	f := &probity.Framework{
		ID: probity.NewID(), AccountID: p.AccountID, Type: probity.FrameworkTypeCustom, Name: in.Name,
		Description: in.Description, ComplianceType: in.ComplianceType, ControlSets: in.ControlSets, Tags: in.Tags,
		CreatedAt: now, CreatedBy: p.Name, LastUpdatedAt: now, LastUpdatedBy: p.Name,
	}
	for i := range f.ControlSets {
		f.ControlSets[i].ID = "" // a new framework's sets get ids derived from it
	}
	f.ARN = s.Partition(p.AccountID).ARN("assessmentFramework", f.ID)
	if err := f.Validate(); err != nil {
		return nil, err
	}
	f.Normalize()
	var v *FrameworkView
	err := s.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		if err := s.frameworkQuota(ctx, tx, p.AccountID, 1); err != nil {
			return err
		}
		var err error
		v, err = putFramework(ctx, tx, f)
		return err
	})
	return v, err
}

// putFramework checks that the framework's account sees every control it lists,
// answering ENOTFOUND for the first it does not, stores the framework and returns it with
// its controls.
func putFramework(ctx context.Context, tx store.Tx, f *probity.Framework) (*FrameworkView, error) {
	v, err := view(ctx, tx, f)
	if err != nil {
		return nil, err
	}
	return v, tx.PutFrameworks(ctx, []*probity.Framework{f})
}

// frameworkIn reads the framework and its controls as the account sees them.
func frameworkIn(ctx context.Context, r store.Reader, account, id string) (*FrameworkView, error) {
	f, err := r.Framework(ctx, account, id)
	if err != nil {
		return nil, asNotFound(err, "assessmentFramework", id)
	}
	return view(ctx, r, f)
}

// view reads the controls of f as f's account sees them.
func view(ctx context.Context, r store.Reader, f *probity.Framework) (*FrameworkView, error) {
	v := &FrameworkView{Framework: f, Controls: map[string]*probity.Control{}}
	for _, cs := range f.ControlSets {
		for _, id := range cs.Controls {
			if v.Controls[id] != nil {
				continue
			}
			c, err := r.Control(ctx, f.AccountID, id)
			if err != nil {
				return nil, asNotFound(err, "control", id)
			}
			v.Controls[id] = c
		}
	}
	return v, nil
}

// Framework returns the framework with the id, with its controls, if the caller sees it;
// ENOTFOUND otherwise. The framework and its controls are read from one snapshot.
func (s *Service) Framework(ctx context.Context, p auth.Principal, id string) (*FrameworkView, error) {
	var v *FrameworkView
	err := s.Store.View(ctx, func(r store.Reader) error {
		var err error
		v, err = frameworkIn(ctx, r, p.AccountID, id)
		return err
	})
	return v, err
}

// Frameworks returns a page of the frameworks of the type that the caller sees.
func (s *Service) Frameworks(ctx context.Context, p auth.Principal, page store.Page) ([]store.FrameworkSummary, error) {
	page.Account = p.AccountID
	return s.Store.FrameworkSummaries(ctx, page)
}

// UpdateFramework replaces the members of the caller's framework that in sets (tags
// aside). It returns ENOTFOUND for a framework or control the caller does not see, and
// EINVALID for a framework the API does not own or an invalid result.
func (s *Service) UpdateFramework(ctx context.Context, p auth.Principal, id string, in FrameworkInput) (*FrameworkView, error) {
	var v *FrameworkView
	err := s.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		old, err := tx.Framework(ctx, p.AccountID, id)
		if err != nil {
			return asNotFound(err, "assessmentFramework", id)
		}
		if err := old.CheckOwner(""); err != nil {
			return err
		}
		f := *old
		f.Name, f.Description, f.ComplianceType = in.Name, in.Description, in.ComplianceType
		f.ControlSets = slices.Clone(in.ControlSets) // fn may run again: in stays as given
		f.LastUpdatedAt, f.LastUpdatedBy = s.now(), p.Name
		if err := f.Validate(); err != nil {
			return err
		}
		if err := f.KeepControlSetIDs(old); err != nil {
			return err
		}
		f.Normalize()
		v, err = putFramework(ctx, tx, &f)
		return err
	})
	return v, err
}

// DeleteFramework deletes the caller's framework. It returns ENOTFOUND for a framework
// the caller does not see and EINVALID for one the API does not own.
func (s *Service) DeleteFramework(ctx context.Context, p auth.Principal, id string) error {
	return s.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		old, err := tx.Framework(ctx, p.AccountID, id)
		if err != nil {
			return asNotFound(err, "assessmentFramework", id)
		}
		if err := old.CheckOwner(""); err != nil {
			return err
		}
		return tx.DeleteFrameworks(ctx, p.AccountID, []string{id})
	})
}
