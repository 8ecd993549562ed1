package console

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/library"
)

// frameworkEditData is the framework edit form's data.
type frameworkEditData struct {
	Framework *probity.Framework
	In        library.FrameworkInput
	Sets      []setRow
	Errors    FormErrors
}

// setRow is one control set's fields in the edit form: Index names its fields
// (setName-0, controls-0); the last row is blank, for adding a set.
type setRow struct {
	Index    int
	Name     string
	Controls string             // control ids, one a line
	Known    []*probity.Control // the controls of Controls that the caller sees, for their names
}

// Field returns the row's form field of the member (setName, controls).
func (s setRow) Field(member string) string { return member + "-" + strconv.Itoa(s.Index) }

// frameworkEditFields maps the framework's members to the form's fields.
var frameworkEditFields = map[string]string{
	"name": "name", "description": "description", "complianceType": "complianceType", "controlSets": "sets",
}

var (
	setErrorName     = regexp.MustCompile(`^controlSets\[(\d+)\]\.(\w+)`)
	controlErrorName = regexp.MustCompile(`^\[(\d+)\]`)
)

// maxSetRows bounds the control set rows a form is read for.
const maxSetRows = 1000

// frameworkEditForm shows the edit form of a custom framework that no file manages.
func (c *Console) frameworkEditForm(w http.ResponseWriter, r *http.Request) error {
	v, err := c.cfg.Library.Framework(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	f := v.Framework
	if err := f.CheckOwner(""); err != nil {
		return err
	}
	d := frameworkEditData{Framework: f, In: library.FrameworkInput{Name: f.Name, Description: f.Description, ComplianceType: f.ComplianceType}}
	for i, s := range f.ControlSets {
		row := setRow{Index: i, Name: s.Name, Controls: strings.Join(s.Controls, "\n")}
		for _, id := range s.Controls {
			if ctl := v.Controls[id]; ctl != nil {
				row.Known = append(row.Known, ctl)
			}
		}
		d.Sets = append(d.Sets, row)
	}
	d.Sets = append(d.Sets, setRow{Index: len(d.Sets)})
	return c.render(w, r, "framework_edit", d)
}

// frameworkEdit saves the form through library.Service.UpdateFramework, as the API's
// UpdateAssessmentFramework does: the members and the control sets as the form lists
// them (a blank set is left out; a set keeps its id by its name).
func (c *Console) frameworkEdit(w http.ResponseWriter, r *http.Request) error {
	ctx, p, id := r.Context(), principal(r), r.PathValue("id")
	v, err := c.cfg.Library.Framework(ctx, p, id)
	if err != nil {
		return err
	}
	f := func(k string) string { return r.PostFormValue(k) }
	d := frameworkEditData{Framework: v.Framework, In: library.FrameworkInput{Name: f("name"), Description: f("description"),
		ComplianceType: f("complianceType")}}
	var used []int // the row of each control set of the input
	n, _ := strconv.Atoi(f("sets"))
	for i := range min(max(n, 0), maxSetRows) {
		name := strings.TrimSpace(f(setRow{Index: i}.Field("setName")))
		ids := strings.Fields(f(setRow{Index: i}.Field("controls")))
		if name == "" && len(ids) == 0 {
			continue
		}
		row := setRow{Index: len(d.Sets), Name: name, Controls: strings.Join(ids, "\n")}
		d.In.ControlSets = append(d.In.ControlSets, probity.ControlSet{Name: name, Controls: ids})
		used = append(used, row.Index)
		d.Sets = append(d.Sets, row)
	}
	d.Sets = append(d.Sets, setRow{Index: len(d.Sets)})
	if _, err := c.cfg.Library.UpdateFramework(ctx, p, id, d.In); err != nil {
		fe, ok := c.frameworkFormErrors(r, err, d.In, used)
		if !ok {
			return err
		}
		d.Errors = fe
		return c.renderStatus(w, r, http.StatusBadRequest, "framework_edit", d)
	}
	http.Redirect(w, r, Prefix+"frameworks/"+url.PathEscape(id)+"?done=saved", http.StatusSeeOther)
	return nil
}

// frameworkFormErrors returns the messages of the form's error next to their fields: a
// control set's next to its row (used[i] is the row of in's set i), a control's with
// its line in the row's list. An unknown control (ENOTFOUND) is told on its line too.
func (c *Console) frameworkFormErrors(r *http.Request, err error, in library.FrameworkInput, used []int) (FormErrors, bool) {
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		fe := FormErrors{}
		for i, set := range in.ControlSets {
			for k, id := range set.Controls {
				if _, err := c.cfg.Library.Control(r.Context(), principal(r), id); probity.ErrorCode(err) == probity.ENOTFOUND {
					fe.Add(setRow{Index: used[i]}.Field("controls"), "Line "+strconv.Itoa(k+1)+": no control in your library has the id "+id+".")
				}
			}
		}
		return fe, len(fe) > 0
	}
	fe, ok := formErrors(err, frameworkEditFields)
	if !ok {
		return nil, false
	}
	for _, fl := range probity.ErrorFields(err) {
		m := setErrorName.FindStringSubmatch(fl.Name)
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		if i >= len(used) {
			continue
		}
		delete(fe, "sets") // told next to the row instead
		field, msg := setRow{Index: used[i]}.Field("setName"), upperFirst(fl.Message)
		if m[2] != "name" {
			field = setRow{Index: used[i]}.Field("controls")
			if l := controlErrorName.FindStringSubmatch(strings.TrimPrefix(fl.Name, m[0])); l != nil {
				k, _ := strconv.Atoi(l[1])
				msg = "Line " + strconv.Itoa(k+1) + ": " + fl.Message
			}
		}
		fe.Add(field, msg)
	}
	for _, fl := range probity.ErrorFields(err) {
		if fl.Name == "controlSets" {
			fe.Add("sets", upperFirst(fl.Message))
		}
	}
	return fe, true
}
