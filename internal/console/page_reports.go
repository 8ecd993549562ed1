package console

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/report"
	"github.com/probity-dev/probity/internal/store"
)

// reportsPageSize is how many reports the list shows at once.
const reportsPageSize = 50

// errNoReports is the answer of the report pages of a server that makes no reports.
var errNoReports = probity.Errorf(probity.EINVALID, "This Probity server makes no assessment reports: it needs a master key and the jobs running here.")

// reportsData is the reports page's data: the list and the create form.
type reportsData struct {
	Enabled      bool
	Reports      []store.AssessmentReport
	Pager        pager
	Assessments  []probity.Assessment
	In           assess.CreateInput
	AssessmentID string
	Errors       FormErrors
}

// reportFields maps the report request's members to the create form's fields.
var reportFields = map[string]string{"name": "name", "description": "description"}

// reports lists the account's reports, newest last, with their status, and (for editors)
// the form that creates one from an assessment's report selection.
func (c *Console) reports(w http.ResponseWriter, r *http.Request) error {
	d, err := c.reportsData(r)
	if err != nil {
		return err
	}
	return c.render(w, r, "reports", d)
}

func (c *Console) reportsData(r *http.Request) (*reportsData, error) {
	d := &reportsData{Enabled: c.cfg.Reports != nil, AssessmentID: r.URL.Query().Get("assessmentId")}
	if !d.Enabled {
		return d, nil
	}
	ctx, p := r.Context(), principal(r)
	after, ok := decodeCursor(r.URL.Query().Get(afterParam))
	if !ok {
		return nil, probity.Errorf(probity.EINVALID, "This page's place in the list is not valid; go back to the first page.")
	}
	list, err := c.cfg.Reports.List(ctx, p, after, reportsPageSize+1)
	if err != nil {
		return nil, err
	}
	next := ""
	if len(list) > reportsPageSize {
		list = list[:reportsPageSize]
		last := list[len(list)-1]
		next = encodeCursor(store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	d.Reports, d.Pager = list, pageLinks(r, next)
	if can(r, "editor") {
		if d.Assessments, err = c.cfg.Assess.List(ctx, p, "", store.Cursor{}, finderAssessments); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// reportCreate asks for a report of the assessment's evidence selected for the report,
// as CreateAssessmentReport does, and shows it.
func (c *Console) reportCreate(w http.ResponseWriter, r *http.Request) error {
	if c.cfg.Reports == nil {
		return errNoReports
	}
	id := r.PostFormValue("assessmentId")
	in := assess.CreateInput{Name: strings.TrimSpace(r.PostFormValue("name")), Description: r.PostFormValue("description")}
	rep, err := c.cfg.Reports.Create(r.Context(), principal(r), id, in)
	if err == nil {
		http.Redirect(w, r, reportPath(rep)+"?done=created", http.StatusSeeOther)
		return nil
	}
	fe, ok := formErrors(err, reportFields)
	if !ok {
		return err
	}
	if id == "" {
		fe.Add("assessmentId", "Choose the assessment whose selected evidence the report holds.")
	}
	d, derr := c.reportsData(r)
	if derr != nil {
		return derr
	}
	d.In, d.AssessmentID, d.Errors = in, id, fe
	return c.renderStatus(w, r, http.StatusBadRequest, "reports", d)
}

// reportPath is the path of a report's page.
func reportPath(rep *store.AssessmentReport) string {
	return Prefix + "reports/" + url.PathEscape(rep.AssessmentID) + "/" + url.PathEscape(rep.ID)
}

// reportData is a report's page's data.
type reportData struct {
	Report *store.AssessmentReport
	Path   string
	// Verify is the verification of a COMPLETE report's zip as it is now; VerifyErr why
	// it could not be checked.
	Verify    *report.Result
	VerifyErr string
	// Denied is true when the caller may not download the report (only the assessment's
	// process owners and admin keys may: it holds every control set's evidence).
	Denied bool
}

// report shows one report: its status (watched while IN_PROGRESS by a small script, or
// with a refresh link without one), and once COMPLETE the download and the verification
// of its signature and digests (internal/report Verify).
func (c *Console) report(w http.ResponseWriter, r *http.Request) error {
	if c.cfg.Reports == nil {
		return errNoReports
	}
	ctx, p := r.Context(), principal(r)
	rep, err := c.cfg.Reports.Report(ctx, p, r.PathValue("assessment"), r.PathValue("id"))
	if err != nil {
		return err
	}
	d := reportData{Report: rep, Path: reportPath(rep)}
	if rep.Status == store.ReportComplete {
		res, err := c.cfg.Reports.Verify(ctx, p, rep.AssessmentID, rep.ID)
		switch probity.ErrorCode(err) {
		case "":
			d.Verify = res
		case probity.ENOTFOUND, probity.EINVALID:
			d.VerifyErr = probity.ErrorMessage(err)
		case probity.EUNAUTHORIZED:
			d.Denied = true
		default:
			return err
		}
	}
	return c.render(w, r, "report", d)
}

// reportStatus is a report's status as JSON, {"status": "..."}, for the report page's
// script to watch.
func (c *Console) reportStatus(w http.ResponseWriter, r *http.Request) error {
	if c.cfg.Reports == nil {
		return errNoReports
	}
	rep, err := c.cfg.Reports.Report(r.Context(), principal(r), r.PathValue("assessment"), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]string{"status": rep.Status})
}

// reportDownload sends a COMPLETE report's zip from its destination.
func (c *Console) reportDownload(w http.ResponseWriter, r *http.Request) error {
	if c.cfg.Reports == nil {
		return errNoReports
	}
	ctx := r.Context()
	rep, dest, err := c.cfg.Reports.Download(ctx, principal(r), r.PathValue("assessment"), r.PathValue("id"))
	if err != nil {
		return err
	}
	obj, err := dest.Open(ctx, rep.Path)
	if err != nil {
		return err
	}
	defer obj.Close()
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Length", strconv.FormatInt(obj.Size(), 10))
	h.Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(path.Base(rep.Path), `"`, "")+`"`)
	h.Set("Cache-Control", "no-store")
	if _, err := io.Copy(w, io.NewSectionReader(obj, 0, obj.Size())); err != nil {
		infoOf(ctx).err = err // the download ended short; the client sees a cut transfer
	}
	return nil
}
