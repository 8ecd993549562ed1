package assess

import (
	"context"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
)

// Authorize returns the caller's assessment with the id when the caller may take the
// action on it, decided by probity.Assessment.Authorize exactly as for the API's
// operations (setID and to as there). It returns ENOTFOUND for an assessment the caller
// does not see, and EUNAUTHORIZED when the caller's roles do not allow the action. It is
// for callers, such as the web console, that show or hide an action before taking it.
func (s *Service) Authorize(ctx context.Context, p auth.Principal, id string, act probity.AssessmentAction, setID string, to probity.ControlSetStatus) (*probity.Assessment, error) {
	a, err := s.get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := a.Authorize(actor(p), act, setID, to); err != nil {
		return nil, err
	}
	return a, nil
}
