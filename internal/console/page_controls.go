package console

import (
	"net/http"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/library"
)

// controlsData is the control library page's data.
type controlsData struct {
	Query       library.ControlQuery
	Controls    []probity.Control
	Pager       pager
	Errors      FormErrors
	Types       []probity.ControlType
	SourceTypes []probity.SourceType
}

// controlFilterFields maps the members of library.ControlQuery to the filter form's fields.
var controlFilterFields = map[string]string{"type": "type", "sourceType": "sourceType", "managedBy": "managedBy"}

// controls is the control library: filters by type, data source type, tag, domain,
// manager and a search, paged in name order by the store.
func (c *Console) controls(w http.ResponseWriter, r *http.Request) error {
	f := r.URL.Query()
	q := library.ControlQuery{
		Type: probity.ControlType(f.Get("type")), SourceType: probity.SourceType(f.Get("sourceType")),
		Tag: strings.TrimSpace(f.Get("tag")), Domain: strings.TrimSpace(f.Get("domain")), ManagedBy: f.Get("managedBy"), Search: f.Get("q"), After: f.Get(afterParam),
	}
	d := controlsData{Query: q, Types: probity.ControlTypes, SourceTypes: probity.SourceTypes}
	page, err := c.cfg.Library.FindControls(r.Context(), principal(r), q)
	if err != nil {
		fe, ok := formErrors(err, controlFilterFields)
		if !ok {
			return err
		}
		d.Errors = fe
		return c.renderStatus(w, r, http.StatusBadRequest, "controls", d)
	}
	d.Controls, d.Pager = page.Controls, pageLinks(r, page.Next)
	return c.render(w, r, "controls", d)
}
