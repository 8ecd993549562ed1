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

// controlEditData is the data of the control form, which makes a custom control (Control
// nil) or edits one that no file manages.
type controlEditData struct {
	Control     *probity.Control
	In          library.ControlInput
	Sources     []dataSourceRow
	SourceTypes []probity.SourceType
	Errors      FormErrors
}

// dataSourceRow is one data source's fields in the control form: Index names its fields
// (sourceName-0, ...); the last row is blank, for adding one.
type dataSourceRow struct {
	Index                                                 int
	ID, Name, Type, Keyword, Description, Troubleshooting string
}

// Field returns the row's form field of the member (name, type, keyword, description,
// troubleshooting).
func (s dataSourceRow) Field(member string) string { return member + "-" + strconv.Itoa(s.Index) }

// controlEditFields maps the control's members to the form's fields.
var controlEditFields = map[string]string{
	"name": "name", "description": "description", "testingInformation": "testingInformation",
	"actionPlanTitle": "actionPlanTitle", "actionPlanInstructions": "actionPlanInstructions",
	"controlMappingSources": "sources",
}

// sourceMembers maps a data source's members (the domain's error names) to the row's
// fields.
var sourceMembers = map[string]string{
	"sourceName": "name", "sourceType": "type", "sourceKeyword": "keyword", "sourceDescription": "description",
	"troubleshootingText": "troubleshooting", "sourceSetUpOption": "type", "sourceFrequency": "type",
}

var sourceErrorName = regexp.MustCompile(`^controlMappingSources\[(\d+)\]\.(\w+)`)

// controlNewForm shows the form that makes a custom control.
func (c *Console) controlNewForm(w http.ResponseWriter, r *http.Request) error {
	return c.render(w, r, "control_edit", controlEditData{Sources: []dataSourceRow{{}}, SourceTypes: probity.SourceTypes})
}

// controlNew makes the control through library.Service.CreateControl, as the API's
// CreateControl does, and shows it.
func (c *Console) controlNew(w http.ResponseWriter, r *http.Request) error {
	in, rows, used := controlForm(r, nil)
	ctl, err := c.cfg.Library.CreateControl(r.Context(), principal(r), in)
	if err != nil {
		return c.controlFormFailed(w, r, err, controlEditData{In: in, Sources: rows}, used)
	}
	http.Redirect(w, r, Prefix+"controls/"+url.PathEscape(ctl.ID)+"?done=created", http.StatusSeeOther)
	return nil
}

// controlEditForm shows the edit form of a custom control that no file manages.
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
	var rows []dataSourceRow
	for i, s := range ctl.ControlMappingSources {
		row := dataSourceRow{Index: i, ID: s.SourceID, Name: s.SourceName, Type: string(s.SourceType), Description: s.SourceDescription,
			Troubleshooting: s.TroubleshootingText}
		if s.SourceKeyword != nil {
			row.Keyword = s.SourceKeyword.KeywordValue
		}
		rows = append(rows, row)
	}
	rows = append(rows, dataSourceRow{Index: len(rows)})
	return c.render(w, r, "control_edit", controlEditData{Control: ctl, In: in, Sources: rows, SourceTypes: probity.SourceTypes})
}

// controlEdit saves the edit form through library.Service.UpdateControl, as the API's
// UpdateControl does: the members and the data sources as the form lists them (a source
// whose Remove box is ticked, and a blank one, are left out).
func (c *Console) controlEdit(w http.ResponseWriter, r *http.Request) error {
	ctx, p, id := r.Context(), principal(r), r.PathValue("id")
	ctl, err := c.cfg.Library.Control(ctx, p, id)
	if err != nil {
		return err
	}
	in, rows, used := controlForm(r, ctl)
	if _, err := c.cfg.Library.UpdateControl(ctx, p, id, in); err != nil {
		return c.controlFormFailed(w, r, err, controlEditData{Control: ctl, In: in, Sources: rows}, used)
	}
	http.Redirect(w, r, Prefix+"controls/"+url.PathEscape(id)+"?done=saved", http.StatusSeeOther)
	return nil
}

// controlFormFailed shows the form again with the error's messages next to their fields
// (a data source's next to its row's), or returns an error that is not the form's.
func (c *Console) controlFormFailed(w http.ResponseWriter, r *http.Request, err error, d controlEditData, used []int) error {
	fe, ok := formErrors(err, controlEditFields)
	if !ok {
		return err
	}
	for _, f := range probity.ErrorFields(err) {
		m := sourceErrorName.FindStringSubmatch(f.Name)
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		if i >= len(used) {
			continue
		}
		// The message goes to the row's field instead of the fieldset.
		delete(fe, "sources")
		fe.Add(dataSourceRow{Index: used[i]}.Field(sourceMembers[m[2]]), upperFirst(f.Message))
	}
	for _, f := range probity.ErrorFields(err) {
		if f.Name == "controlMappingSources" {
			fe.Add("sources", upperFirst(f.Message))
		}
	}
	d.Errors, d.SourceTypes = fe, probity.SourceTypes
	return c.renderStatus(w, r, http.StatusBadRequest, "control_edit", d)
}

// maxSourceRows bounds the data source rows a form is read for.
const maxSourceRows = probity.MaxMappingSources + 1

// controlForm reads the control form: its input, the rows to show again (with a blank
// one at the end), and, for each data source of the input, the row it came from. A row
// keeps the id, frequency and manual keyword type of old's source with its id.
func controlForm(r *http.Request, old *probity.Control) (library.ControlInput, []dataSourceRow, []int) {
	f := func(k string) string { return r.PostFormValue(k) }
	in := library.ControlInput{Name: f("name"), Description: f("description"), TestingInformation: f("testingInformation"),
		ActionPlanTitle: f("actionPlanTitle"), ActionPlanInstructions: f("actionPlanInstructions")}
	oldByID := map[string]probity.ControlMappingSource{}
	if old != nil {
		for _, s := range old.ControlMappingSources {
			oldByID[s.SourceID] = s
		}
	}
	n, _ := strconv.Atoi(f("sources"))
	var rows []dataSourceRow
	var used []int
	for i := range min(max(n, 0), maxSourceRows) {
		row := dataSourceRow{Index: len(rows)}
		get := func(m string) string { return f(dataSourceRow{Index: i}.Field(m)) }
		row.ID, row.Name, row.Type, row.Keyword = get("id"), strings.TrimSpace(get("name")), get("type"), strings.TrimSpace(get("keyword"))
		row.Description, row.Troubleshooting = get("description"), get("troubleshooting")
		if get("remove") != "" || row.Name == "" && row.Keyword == "" && row.Description == "" && row.Troubleshooting == "" {
			continue
		}
		s := probity.ControlMappingSource{SourceName: row.Name, SourceType: probity.SourceType(row.Type),
			SourceDescription: row.Description, TroubleshootingText: row.Troubleshooting}
		prev, kept := oldByID[row.ID]
		if kept && row.ID != "" {
			s.SourceID, s.SourceFrequency = prev.SourceID, prev.SourceFrequency
		} else {
			row.ID = ""
		}
		switch {
		case s.SourceType == probity.SourceTypeManual && row.Keyword != "":
			kt := probity.KeywordInputText
			if kept && prev.SourceKeyword != nil && prev.SourceKeyword.KeywordInputType != probity.KeywordSelectFromList {
				kt = prev.SourceKeyword.KeywordInputType
			}
			s.SourceKeyword = &probity.SourceKeyword{KeywordInputType: kt, KeywordValue: row.Keyword}
		case s.SourceType != probity.SourceTypeManual && row.Keyword != "":
			s.SourceKeyword = &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: row.Keyword}
		}
		if s.SourceType != probity.SourceTypeManual && s.SourceFrequency == "" {
			s.SourceFrequency = probity.FrequencyDaily
		}
		in.ControlMappingSources = append(in.ControlMappingSources, s)
		used = append(used, row.Index)
		rows = append(rows, row)
	}
	rows = append(rows, dataSourceRow{Index: len(rows)})
	return in, rows, used
}
