package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/library"
)

// controlData is the control detail page's data.
type controlData struct {
	Control *probity.Control
	Origin  *library.ControlOrigin
	// Editable says the API (and so the console) may edit the control: a custom control
	// no catalog file manages.
	Editable bool
	CopyName string
	Errors   FormErrors
}

// control shows one control: its members, data sources and tags, the file and position
// it came from with its source's last outcome, and (for editors) edit and copy.
func (c *Console) control(w http.ResponseWriter, r *http.Request) error {
	d, err := c.controlData(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	d.CopyName = "Copy of " + d.Control.Name
	return c.render(w, r, "control", d)
}

func (c *Console) controlData(r *http.Request, id string) (*controlData, error) {
	ctx, p := r.Context(), principal(r)
	ctl, err := c.cfg.Library.Control(ctx, p, id)
	if err != nil {
		return nil, err
	}
	o, err := c.cfg.Library.ControlOrigin(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return &controlData{Control: ctl, Origin: o, Editable: ctl.CheckOwner("") == nil}, nil
}

// controlCopy makes an editable custom copy of the control (Audit Manager's "make an
// editable copy" of a standard control) and shows it.
func (c *Console) controlCopy(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	name := strings.TrimSpace(r.PostFormValue("name"))
	cp, err := c.cfg.Library.CopyControl(r.Context(), principal(r), id, name)
	if err == nil {
		http.Redirect(w, r, Prefix+"controls/"+url.PathEscape(cp.ID)+"?done=copied", http.StatusSeeOther)
		return nil
	}
	fe, ok := formErrors(err, map[string]string{"name": "name"})
	if !ok {
		return err
	}
	d, derr := c.controlData(r, id)
	if derr != nil {
		return derr
	}
	d.CopyName, d.Errors = name, fe
	return c.renderStatus(w, r, http.StatusBadRequest, "control", d)
}
