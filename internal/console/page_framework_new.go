package console

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/library"
)

// frameworkNewData is the new framework form's data: the members typed so far, the
// controls chosen, and the controls the search found to choose from.
type frameworkNewData struct {
	Name, Description, ComplianceType, SetName, Search string
	Chosen                                             []probity.Control
	Found                                              []probity.Control
	More                                               bool // the search found more than it lists
	Errors                                             FormErrors
}

// frameworkNewFields maps the framework's members to the form's fields.
var frameworkNewFields = map[string]string{
	"name": "name", "description": "description", "complianceType": "complianceType", "controlSets": "controls",
}

// frameworkChoices is how many controls the form's search lists.
const frameworkChoices = 100

// frameworkNewForm shows the form that makes a custom framework of one control set from
// chosen controls. Its search (a GET of the same form) lists controls to choose from; the
// ones already chosen stay chosen.
func (c *Console) frameworkNewForm(w http.ResponseWriter, r *http.Request) error {
	d, err := c.frameworkForm(r, r.URL.Query())
	if err != nil {
		return err
	}
	return c.render(w, r, "framework_new", d)
}

// frameworkNew makes the framework through library.Service.CreateFramework, as the API's
// CreateAssessmentFramework does, and shows it.
func (c *Console) frameworkNew(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	d, err := c.frameworkForm(r, r.PostForm)
	if err != nil {
		return err
	}
	ids := make([]string, len(d.Chosen))
	for i, ctl := range d.Chosen {
		ids[i] = ctl.ID
	}
	v, err := c.cfg.Library.CreateFramework(r.Context(), principal(r), library.FrameworkInput{
		Name: d.Name, Description: d.Description, ComplianceType: d.ComplianceType,
		ControlSets: []probity.ControlSet{{Name: d.SetName, Controls: ids}},
	})
	if err != nil {
		fe, ok := formErrors(err, frameworkNewFields)
		if !ok {
			return err
		}
		d.Errors = fe
		return c.renderStatus(w, r, http.StatusBadRequest, "framework_new", d)
	}
	http.Redirect(w, r, Prefix+"frameworks/"+url.PathEscape(v.Framework.ID)+"?done=created", http.StatusSeeOther)
	return nil
}

// frameworkForm reads the form's members from f, the chosen controls (unknown ids are
// dropped) and the search's results.
func (c *Console) frameworkForm(r *http.Request, f url.Values) (*frameworkNewData, error) {
	ctx, p := r.Context(), principal(r)
	d := &frameworkNewData{Name: f.Get("name"), Description: f.Get("description"), ComplianceType: f.Get("complianceType"),
		SetName: f.Get("setName"), Search: f.Get("q")}
	if d.SetName == "" {
		d.SetName = "Controls"
	}
	chosen := map[string]bool{}
	for _, id := range f["control"] {
		if chosen[id] || len(chosen) >= probity.MaxControlsPerFramework {
			continue
		}
		chosen[id] = true
		ctl, err := c.cfg.Library.Control(ctx, p, id)
		if probity.ErrorCode(err) == probity.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		d.Chosen = append(d.Chosen, *ctl)
	}
	page, err := c.cfg.Library.FindControls(ctx, p, library.ControlQuery{Search: strings.TrimSpace(d.Search), Limit: frameworkChoices})
	if err != nil {
		return nil, err
	}
	d.More = page.Next != ""
	for _, ctl := range page.Controls {
		if !chosen[ctl.ID] {
			d.Found = append(d.Found, ctl)
		}
	}
	slices.SortStableFunc(d.Chosen, func(a, b probity.Control) int { return strings.Compare(a.Name, b.Name) })
	return d, nil
}
