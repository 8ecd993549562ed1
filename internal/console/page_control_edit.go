package console

import (
	"net/http"
	"net/url"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/library"
)

// controlEditData is the edit form's data.
type controlEditData struct {
	Control *probity.Control
	In      library.ControlInput
	Errors  FormErrors
}

// controlEditFields maps the control's members to the edit form's fields.
var controlEditFields = map[string]string{
	"name": "name", "description": "description", "testingInformation": "testingInformation",
	"actionPlanTitle": "actionPlanTitle", "actionPlanInstructions": "actionPlanInstructions",
}

// controlEditForm shows the edit form of a custom control that no file manages. Its data
// sources are kept as they are: they are edited through the API or a control file.
func (c *Console) controlEditForm(w http.ResponseWriter, r *http.Request) error {
	ctl, err := c.cfg.Library.Control(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := ctl.CheckOwner(""); err != nil {
		return err
	}
	in := library.ControlInput{Name: ctl.Name, Description: ctl.Description, TestingInformation: ctl.TestingInformation,
		ActionPlanTitle: ctl.ActionPlanTitle, ActionPlanInstructions: ctl.ActionPlanInstructions}
	return c.render(w, r, "control_edit", controlEditData{Control: ctl, In: in})
}

// controlEdit saves the edit form through library.Service.UpdateControl, as the API's
// UpdateControl does.
func (c *Console) controlEdit(w http.ResponseWriter, r *http.Request) error {
	ctx, p, id := r.Context(), principal(r), r.PathValue("id")
	ctl, err := c.cfg.Library.Control(ctx, p, id)
	if err != nil {
		return err
	}
	in := library.ControlInput{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		TestingInformation: r.PostFormValue("testingInformation"), ActionPlanTitle: r.PostFormValue("actionPlanTitle"),
		ActionPlanInstructions: r.PostFormValue("actionPlanInstructions"), ControlMappingSources: ctl.ControlMappingSources}
	if _, err := c.cfg.Library.UpdateControl(ctx, p, id, in); err != nil {
		fe, ok := formErrors(err, controlEditFields)
		if !ok {
			return err
		}
		return c.renderStatus(w, r, http.StatusBadRequest, "control_edit", controlEditData{Control: ctl, In: in, Errors: fe})
	}
	http.Redirect(w, r, Prefix+"controls/"+url.PathEscape(id)+"?done=saved", http.StatusSeeOther)
	return nil
}
