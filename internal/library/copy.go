package library

import (
	"context"
	"maps"
	"slices"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
)

// CopyControl makes an editable copy of a control the caller sees (Audit Manager's
// "make an editable copy" of a standard control): a custom control in the caller's
// library named name, with the original's text, data sources and tags and new ids. It
// returns ENOTFOUND for a control the caller does not see, and CreateControl's errors
// (EINVALID for a bad name, ECONFLICT when it is taken, EQUOTA).
func (s *Service) CopyControl(ctx context.Context, p auth.Principal, id, name string) (*probity.Control, error) {
	c, err := s.Control(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return s.CreateControl(ctx, p, ControlInput{
		Name: name, Description: c.Description, TestingInformation: c.TestingInformation,
		ActionPlanTitle: c.ActionPlanTitle, ActionPlanInstructions: c.ActionPlanInstructions, Domain: c.Domain,
		ControlMappingSources: slices.Clone(c.ControlMappingSources), Tags: maps.Clone(c.Tags),
	})
}
