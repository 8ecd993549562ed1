package console

import (
	"net/http"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
)

// requireLevel returns nil when the request's principal has at least the level needs and
// its account is active, decided as the API decides it (auth.Level.Allows, then
// library.Service.CheckActive); an EUNAUTHORIZED error otherwise, which fail turns into
// a 403 page. Routes check their level before the handler runs; a handler calls it for
// a finer check, such as an action shown on a page viewers may read.
func (c *Console) requireLevel(r *http.Request, needs auth.Level) error {
	p := principal(r)
	if !p.Level.Allows(needs) {
		return probity.Errorf(probity.EUNAUTHORIZED, "Your access key %s has the %s role; this needs the %s role.", p.Name, p.Level, needs)
	}
	return c.cfg.Library.CheckActive(r.Context(), p)
}

// can reports whether the request's principal has at least the level: for showing or
// hiding actions. The action's own route still checks.
func can(r *http.Request, level auth.Level) bool { return principal(r).Level.Allows(level) }

// requireAssessment returns the request principal's assessment with the id when its roles
// (admin key, process owner, delegate of the control set) allow the action on it, decided
// by assess.Service.Authorize exactly as for the API; ENOTFOUND or EUNAUTHORIZED
// otherwise. setID and to are as for probity.Assessment.Authorize.
func (c *Console) requireAssessment(r *http.Request, id string, act probity.AssessmentAction, setID string, to probity.ControlSetStatus) (*probity.Assessment, error) {
	return c.cfg.Assess.Authorize(r.Context(), principal(r), id, act, setID, to)
}
