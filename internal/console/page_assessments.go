package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/store"
)

// assessmentsPageSize is how many assessments one page lists.
const assessmentsPageSize = 50

// assessmentsData is the assessment list's data.
type assessmentsData struct {
	Status   probity.AssessmentStatus
	Statuses []probity.AssessmentStatus
	Rows     []assessmentRow
	Pager    pager
}

// assessmentRow is one assessment of the list, with the caller's role in it.
type assessmentRow struct {
	probity.Assessment
	Role     string
	Controls int
}

// assessments lists the caller's account's assessments, of one status when the status
// filter is set, paged in creation order, as ListAssessments does.
func (c *Console) assessments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	status := probity.AssessmentStatus(q.Get("status"))
	if status != "" && !slices.Contains(probity.AssessmentStatuses, status) {
		return probity.Errorf(probity.EINVALID, "The status filter must be ACTIVE, INACTIVE or empty (all).")
	}
	after, ok := decodeCursor(q.Get(afterParam))
	if !ok {
		return errBadPage
	}
	p := principal(r)
	as, err := c.cfg.Assess.List(r.Context(), p, status, after, assessmentsPageSize+1)
	if err != nil {
		return err
	}
	var next string
	if len(as) > assessmentsPageSize {
		as = as[:assessmentsPageSize]
		last := as[len(as)-1]
		next = encodeCursor(store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	d := assessmentsData{Status: status, Statuses: probity.AssessmentStatuses, Pager: pageLinks(r, next)}
	for _, a := range as {
		row := assessmentRow{Assessment: a}
		if role := assess.UserRole(&a, p); role != nil {
			row.Role = string(role.Type)
		}
		for _, s := range a.ControlSets {
			row.Controls += len(s.Controls)
		}
		d.Rows = append(d.Rows, row)
	}
	return c.render(w, r, "assessments", d)
}

// errBadPage is a cursor the console did not make.
var errBadPage = probity.Errorf(probity.EINVALID, "The page asked for is not a page of this list; start again from the first page.")

// assessmentNewData is the create wizard's data: the frameworks to choose from, what
// was entered, and what is wrong with it.
type assessmentNewData struct {
	Frameworks []store.FrameworkSummary
	In         assessmentForm
	Errors     FormErrors
}

// assessmentForm is the create wizard's fields as entered: lists one item a line.
type assessmentForm struct {
	Name, Description, Framework string
	Accounts, Services           string
	Owners, ResourceOwners       string
	Destination                  string
}

// wizardFrameworks bounds the frameworks of each type the wizard offers.
const wizardFrameworks = 500

// frameworkChoices returns the frameworks the wizard offers: standard, then custom.
func (c *Console) frameworkChoices(r *http.Request) ([]store.FrameworkSummary, error) {
	var out []store.FrameworkSummary
	for _, t := range frameworkTypes {
		fs, err := c.cfg.Library.Frameworks(r.Context(), principal(r), store.Page{Type: string(t), Limit: wizardFrameworks})
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// assessmentNewForm shows the create wizard: framework, scope (accounts and services),
// roles (the caller's identity as PROCESS_OWNER to start with) and destination.
func (c *Console) assessmentNewForm(w http.ResponseWriter, r *http.Request) error {
	fs, err := c.frameworkChoices(r)
	if err != nil {
		return err
	}
	p := principal(r)
	in := assessmentForm{Framework: r.URL.Query().Get("framework"), Owners: p.ARN, Accounts: p.AccountID}
	return c.render(w, r, "assessment_new", assessmentNewData{Frameworks: fs, In: in})
}

// assessmentNew creates the assessment through assess.Service.Create, as the API's
// CreateAssessment does, and shows it; a refused form comes back with each error next
// to its field.
func (c *Console) assessmentNew(w http.ResponseWriter, r *http.Request) error {
	in := assessmentForm{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		Framework: r.PostFormValue("framework"), Accounts: r.PostFormValue("accounts"), Services: r.PostFormValue("services"),
		Owners: r.PostFormValue("owners"), ResourceOwners: r.PostFormValue("resourceOwners"), Destination: strings.TrimSpace(r.PostFormValue("destination"))}
	ai := assess.Input{Name: in.Name, Description: in.Description, FrameworkID: strings.TrimSpace(in.Framework),
		ReportsDestination: probity.Destination{Type: "S3", Destination: in.Destination}}
	for _, line := range lines(in.Accounts) {
		parts := strings.Split(line, ",")
		acc := probity.AWSAccount{ID: strings.TrimSpace(parts[0])}
		if len(parts) > 1 {
			acc.EmailAddress = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 {
			acc.Name = strings.TrimSpace(strings.Join(parts[2:], ","))
		}
		ai.Scope.Accounts = append(ai.Scope.Accounts, acc)
	}
	for _, line := range lines(in.Services) {
		for _, s := range strings.Split(line, ",") {
			if s = strings.TrimSpace(s); s != "" {
				ai.Scope.Services = append(ai.Scope.Services, s)
			}
		}
	}
	owners := lines(in.Owners)
	for _, arn := range owners {
		ai.Roles = append(ai.Roles, probity.Role{Type: probity.RoleProcessOwner, ARN: arn})
	}
	for _, arn := range lines(in.ResourceOwners) {
		ai.Roles = append(ai.Roles, probity.Role{Type: probity.RoleResourceOwner, ARN: arn})
	}
	a, err := c.cfg.Assess.Create(r.Context(), principal(r), ai)
	if err != nil {
		fe, ok := wizardErrors(err, len(owners))
		if !ok {
			return err
		}
		fs, ferr := c.frameworkChoices(r)
		if ferr != nil {
			return ferr
		}
		return c.renderStatus(w, r, http.StatusBadRequest, "assessment_new", assessmentNewData{Frameworks: fs, In: in, Errors: fe})
	}
	http.Redirect(w, r, assessmentPath(a.ID)+"?done=created", http.StatusSeeOther)
	return nil
}

// lines returns the text's non-blank lines, trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// wizardErrors places Create's errors next to the wizard's fields: members of scope's
// accounts and services, and of roles, by the line they came from ("Line 2: id must be
// 12 digits"); a framework that does not exist at the framework. It returns false for
// an error that is not about the form.
func wizardErrors(err error, owners int) (FormErrors, bool) {
	fe := FormErrors{}
	switch probity.ErrorCode(err) {
	case probity.ENOTFOUND:
		fe.Add("framework", "Choose a framework of this account: "+probity.ErrorMessage(err))
		return fe, true
	case probity.EINVALID:
	default:
		return nil, false
	}
	fs := probity.ErrorFields(err)
	if len(fs) == 0 {
		fe.Add("", probity.ErrorMessage(err))
	}
	for _, f := range fs {
		field, rest, line := wizardField(f.Name, owners)
		msg := f.Message
		if rest != "" {
			msg = rest + " " + msg
		}
		if line > 0 {
			msg = "Line " + strconv.Itoa(line) + ": " + msg
		}
		fe.Add(field, upperFirst(msg)+".")
	}
	return fe, true
}

// wizardField returns the wizard's field of an API member name, what of the item the
// message is about, and the item's line (from 1; 0 for none).
func wizardField(name string, owners int) (field, rest string, line int) {
	head, tail, _ := strings.Cut(name, ".")
	switch head {
	case "name", "description":
		return head, "", 0
	case "frameworkId":
		return "framework", "", 0
	case "assessmentReportsDestination":
		return "destination", "", 0
	case "scope":
		field = "accounts"
		if strings.HasPrefix(tail, "awsServices") {
			field = "services"
		}
		i, member := itemOf(tail)
		return field, member, i + 1
	case "tags":
		return "", name, 0
	}
	if strings.HasPrefix(head, "roles") {
		i, member := itemOf(name)
		member = strings.TrimPrefix(member, "roleArn")
		switch {
		case i < 0:
			return "owners", member, 0
		case i < owners:
			return "owners", member, i + 1
		default:
			return "resourceOwners", member, i - owners + 1
		}
	}
	return "", name, 0
}

// itemOf returns the index in "list[i].member" and the member; -1 without an index.
func itemOf(s string) (int, string) {
	open, end := strings.IndexByte(s, '['), strings.IndexByte(s, ']')
	if open < 0 || end < open {
		return -1, ""
	}
	i, err := strconv.Atoi(s[open+1 : end])
	if err != nil {
		return -1, ""
	}
	return i, strings.TrimPrefix(s[end+1:], ".")
}

// assessmentPath returns the path of the assessment's page.
func assessmentPath(id string) string { return Prefix + "assessments/" + url.PathEscape(id) }
