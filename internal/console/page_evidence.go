package console

import (
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/store"
)

// Evidence finder limits: results per page, the evidence one page reads at most (so that
// a page of a rare match answers within the console's time budget and offers to search
// on), and the assessments the form offers.
const (
	finderPageSize     = 50
	finderMaxScan      = 500
	finderAssessments  = 200
	csvFlushEveryItems = 500
)

// evidenceData is the evidence finder's data.
type evidenceData struct {
	Form        url.Values // the filters as given, to fill the form
	Query       assess.FindQuery
	Assessments []probity.Assessment
	Controls    []finderControl // the chosen assessment's controls
	Compliance  []string
	Page        *assess.FoundPage
	Searched    bool   // a search ran (an assessment was chosen and the filters are valid)
	Partial     bool   // the page stopped at the scan bound before it was full
	Statement   string // the filters as a report query statement
	Pager       pager
	Errors      FormErrors
	CSV         string // the export's link
	Back        string // this page's path and query, for the selection form to return to
}

// finderControl is a control the finder's control filter offers.
type finderControl struct{ ID, Name, Set string }

// evidenceFields maps the finder's query members to its form fields.
var evidenceFields = map[string]string{"assessmentId": "assessmentId", "compliance": "compliance", "account": "account",
	"resourceType": "resourceType", "from": "from", "to": "to"}

// findQuery reads the finder's filters from the query string: the query, and the fields
// whose text is not a date.
func findQuery(f url.Values) (assess.FindQuery, FormErrors) {
	q := assess.FindQuery{AssessmentID: f.Get("assessmentId"), ControlID: f.Get("controlId"),
		Account: strings.TrimSpace(f.Get("account")), DataSource: strings.TrimSpace(f.Get("dataSource")),
		Compliance: f.Get("compliance"), ResourceType: strings.TrimSpace(f.Get("resourceType"))}
	fe := FormErrors{}
	for _, d := range []struct {
		field string
		to    *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if v := f.Get(d.field); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				fe.Add(d.field, "Give a date as YYYY-MM-DD.")
				continue
			}
			*d.to = t
		}
	}
	return q, fe
}

// evidence is the evidence finder: one assessment's evidence filtered by control,
// account, data source, compliance result, resource type and dates, paged, with a CSV
// export and (for those who may) adding the results to the report selection.
func (c *Console) evidence(w http.ResponseWriter, r *http.Request) error {
	ctx, p, f := r.Context(), principal(r), r.URL.Query()
	q, fe := findQuery(f)
	d := evidenceData{Form: f, Query: q, Compliance: []string{assess.FindCompliant, assess.FindNonCompliant, assess.FindInconclusive},
		Errors: fe, Back: r.URL.RequestURI()}
	var err error
	if d.Assessments, err = c.cfg.Assess.List(ctx, p, "", store.Cursor{}, finderAssessments); err != nil {
		return err
	}
	for _, a := range d.Assessments {
		if a.ID != q.AssessmentID {
			continue
		}
		for _, set := range a.ControlSets {
			for _, ctl := range set.Controls {
				d.Controls = append(d.Controls, finderControl{ID: ctl.ID, Name: ctl.Name, Set: set.Name})
			}
		}
	}
	if q.AssessmentID == "" || fe.Any() {
		status := http.StatusOK
		if fe.Any() {
			status = http.StatusBadRequest
		}
		return c.renderStatus(w, r, status, "evidence", d)
	}
	after, ok := decodeFindCursor(f.Get(afterParam))
	if !ok {
		d.Errors.Add("", "This page's place in the results is not valid; start the search again.")
		return c.renderStatus(w, r, http.StatusBadRequest, "evidence", d)
	}
	q.MaxScan = finderMaxScan
	page, err := c.cfg.Assess.FindEvidence(ctx, p, q, after, finderPageSize)
	if err != nil {
		fe, ok := formErrors(err, evidenceFields)
		if !ok {
			return err
		}
		d.Errors = fe
		return c.renderStatus(w, r, http.StatusBadRequest, "evidence", d)
	}
	d.Page, d.Searched, d.Statement = page, true, q.Statement()
	d.Partial = !page.Next.IsZero() && len(page.Evidence) < finderPageSize
	d.Pager = pageLinks(r, encodeFindCursor(page.Next))
	csvQuery := r.URL.Query()
	csvQuery.Del(afterParam)
	d.CSV = Prefix + "evidence.csv?" + csvQuery.Encode()
	return c.render(w, r, "evidence", d)
}

// evidenceCSV streams every evidence the finder's filters select as CSV, flushed as it
// goes. A failure before the first row is an error page; after it, the download ends
// short and the cause goes to the log.
func (c *Console) evidenceCSV(w http.ResponseWriter, r *http.Request) error {
	q, fe := findQuery(r.URL.Query())
	if fe.Any() {
		return &probity.Error{Code: probity.EINVALID, Message: "The evidence search is not valid: " + fe.Get("from") + fe.Get("to")}
	}
	if err := q.Validate(); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	started, n := false, 0
	start := func() {
		started = true
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="evidence-`+q.AssessmentID+`.csv"`)
		h.Set("Cache-Control", "no-store")
		_ = cw.Write([]string{"id", "time", "assessmentId", "controlSetId", "controlId", "controlName", "dataSource",
			"evidenceAwsAccountId", "evidenceByType", "complianceCheck", "resourceArns", "eventName", "assessmentReportSelection", "hash"})
	}
	err := c.cfg.Assess.EachFound(r.Context(), principal(r), q, func(e *probity.Evidence) error {
		if !started {
			start()
		}
		arns := make([]string, len(e.ResourcesIncluded))
		for i, res := range e.ResourcesIncluded {
			arns[i] = res.ARN
		}
		row := []string{e.ID, e.Time.UTC().Format(time.RFC3339), e.AssessmentID, e.ControlSetID, e.ControlID, e.ControlName, e.DataSource,
			e.EvidenceAWSAccountID, e.EvidenceByType, e.ComplianceCheck, strings.Join(arns, " "), e.EventName, e.AssessmentReportSelection, e.Hash}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
		if n++; n%csvFlushEveryItems == 0 {
			cw.Flush()
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
		return cw.Error()
	})
	if err != nil && !started {
		return err
	}
	if err != nil {
		infoOf(r.Context()).err = fmt.Errorf("evidence export ended after %d rows: %w", n, err)
		return nil
	}
	if !started {
		start()
	}
	cw.Flush()
	return nil
}

// csvSafe keeps a spreadsheet from reading a value as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// evidenceSelect adds the chosen evidence (form values "ev", each FOLDER/EVIDENCE) to
// its assessment's report selection, as BatchAssociateAssessmentReportEvidence does, and
// goes back to the finder.
func (c *Console) evidenceSelect(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	id := r.PostFormValue("assessmentId")
	byFolder := map[string][]string{}
	var folders []string
	for _, v := range r.PostForm["ev"] {
		folder, ev, ok := strings.Cut(v, "/")
		if !ok {
			return probity.Errorf(probity.EINVALID, "The evidence %q is not FOLDER/EVIDENCE.", v)
		}
		if byFolder[folder] == nil {
			folders = append(folders, folder)
		}
		byFolder[folder] = append(byFolder[folder], ev)
	}
	if len(folders) == 0 {
		return probity.Errorf(probity.EINVALID, "Choose the evidence to add to the report selection first.")
	}
	for _, folder := range folders {
		_, fails, err := c.cfg.Assess.SelectEvidence(ctx, p, id, folder, byFolder[folder], true)
		if err != nil {
			return err
		}
		if len(fails) > 0 {
			return fails[0].Err
		}
	}
	// Back to the finder's page the form was on (its query only: never another path).
	back, err := url.Parse(r.PostFormValue("back"))
	q := url.Values{}
	if err == nil && back.Path == Prefix+"evidence" {
		q = back.Query()
	}
	q.Set("assessmentId", id)
	q.Set("done", "selected")
	http.Redirect(w, r, Prefix+"evidence?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// encodeFindCursor and decodeFindCursor turn an assess.FindCursor into the text of
// afterParam and back; decodeFindCursor returns false for text it did not make.
func encodeFindCursor(c assess.FindCursor) string {
	if c.IsZero() {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Date.UnixNano(), 10) + " " + c.FolderID + " " + strconv.FormatInt(c.Seq, 10)))
}

func decodeFindCursor(s string) (assess.FindCursor, bool) {
	if s == "" {
		return assess.FindCursor{}, true
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return assess.FindCursor{}, false
	}
	parts := strings.Split(string(b), " ")
	if len(parts) != 3 || !probity.IsUUID(parts[1]) {
		return assess.FindCursor{}, false
	}
	ns, err1 := strconv.ParseInt(parts[0], 10, 64)
	seq, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || seq < 0 {
		return assess.FindCursor{}, false
	}
	return assess.FindCursor{Date: time.Unix(0, ns).UTC(), FolderID: parts[1], Seq: seq}, true
}
