package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// foldersPageSize is how many evidence folders one page of a control lists.
const foldersPageSize = 30

// assessmentControlData is the page of one control of an assessment.
type assessmentControlData struct {
	A   *probity.Assessment
	Set *probity.AssessmentControlSet
	Ctl *probity.AssessmentControl
	// CanRead: the caller may read the set's evidence; ReadRefusal says why not.
	CanRead     bool
	ReadRefusal string
	Folders     []probity.EvidenceFolder
	Pager       pager
	// CanReview: the caller may set the status and comment; CanImport: add evidence.
	CanReview, CanImport bool
	Statuses             []probity.ControlStatus
	// Drop is set when the drag-and-drop upload is on (Config.Uploads).
	Drop   bool
	Text   string // the text evidence form as entered
	Errors FormErrors
}

// controlPath returns the path of a control's page in an assessment.
func controlPath(id, set, ctl string) string {
	return assessmentPath(id) + "/sets/" + url.PathEscape(set) + "/controls/" + url.PathEscape(ctl)
}

// assessmentControl shows one control of an assessment: its status, comments, data
// sources, its evidence folders by day with their counts (paged), and the review and
// manual evidence forms the caller's roles allow.
func (c *Console) assessmentControl(w http.ResponseWriter, r *http.Request) error {
	return c.controlPage(w, r, http.StatusOK, nil, "")
}

func (c *Console) controlPage(w http.ResponseWriter, r *http.Request, status int, errs FormErrors, text string) error {
	p := principal(r)
	id, setID, ctlID := r.PathValue("id"), r.PathValue("set"), r.PathValue("ctl")
	a, err := c.cfg.Assess.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	set := a.ControlSet(setID)
	if set == nil {
		return probity.NotFound("controlSet", setID)
	}
	ctl := set.Control(ctlID)
	if ctl == nil {
		return probity.NotFound("control", ctlID)
	}
	writer := can(r, auth.Editor) && a.Status == probity.AssessmentActive
	d := assessmentControlData{A: a, Set: set, Ctl: ctl, Statuses: probity.ControlStatuses, Errors: errs, Text: text,
		CanReview: writer && assess.Allowed(a, p, probity.ReviewControl, setID, ""),
		CanImport: writer && assess.Allowed(a, p, probity.ImportEvidence, setID, ""),
		Drop:      c.cfg.Uploads != nil}
	after, ok := decodeCursor(r.URL.Query().Get(afterParam))
	if !ok {
		return errBadPage
	}
	fs, err := c.cfg.Assess.ControlEvidenceFolders(r.Context(), p, id, setID, ctlID,
		store.FolderCursor{Date: after.CreatedAt, ID: after.ID}, foldersPageSize+1)
	switch {
	case probity.ErrorCode(err) == probity.EUNAUTHORIZED:
		d.ReadRefusal = probity.ErrorMessage(err)
	case err != nil:
		return err
	default:
		d.CanRead = true
		var next string
		if len(fs) > foldersPageSize {
			fs = fs[:foldersPageSize]
			last := fs[len(fs)-1]
			next = encodeCursor(store.Cursor{CreatedAt: last.Date, ID: last.ID})
		}
		d.Folders, d.Pager = fs, pageLinks(r, next)
	}
	return c.renderStatus(w, r, status, "assessment_control", d)
}

// controlReview sets the control's status and adds a comment through
// assess.Service.UpdateControl, as UpdateAssessmentControl does.
func (c *Console) controlReview(w http.ResponseWriter, r *http.Request) error {
	id, set, ctl := r.PathValue("id"), r.PathValue("set"), r.PathValue("ctl")
	_, err := c.cfg.Assess.UpdateControl(r.Context(), principal(r), id, set, ctl,
		probity.ControlStatus(r.PostFormValue("status")), strings.TrimSpace(r.PostFormValue("comment")))
	if err != nil {
		fe, ok := formErrors(err, map[string]string{"controlStatus": "status", "commentBody": "comment"})
		if !ok {
			return err
		}
		return c.controlPage(w, r, http.StatusBadRequest, fe, "")
	}
	http.Redirect(w, r, controlPath(id, set, ctl)+"?done=saved", http.StatusSeeOther)
	return nil
}

// evidenceText imports a text response as manual evidence through
// assess.Service.ImportEvidence, as BatchImportEvidenceToAssessmentControl does.
func (c *Console) evidenceText(w http.ResponseWriter, r *http.Request) error {
	text := r.PostFormValue("text")
	return c.importEvidence(w, r, assess.ManualEvidence{TextResponse: text}, "text", text)
}

// evidenceImport imports a file uploaded to an upload URL (the drag-and-drop upload's
// last step) by its evidenceFileName.
func (c *Console) evidenceImport(w http.ResponseWriter, r *http.Request) error {
	return c.importEvidence(w, r, assess.ManualEvidence{EvidenceFileName: r.PostFormValue("evidenceFileName")}, "file", "")
}

// importEvidence imports the one item to the request's control and shows the control;
// an item refused comes back next to the form's field.
func (c *Console) importEvidence(w http.ResponseWriter, r *http.Request, item assess.ManualEvidence, field, text string) error {
	id, set, ctl := r.PathValue("id"), r.PathValue("set"), r.PathValue("ctl")
	failed, err := c.cfg.Assess.ImportEvidence(r.Context(), principal(r), id, set, ctl, []assess.ManualEvidence{item})
	if err == nil && len(failed) > 0 {
		err = failed[0].Err
	}
	if err != nil {
		if code := probity.ErrorCode(err); code != probity.EINVALID && !(code == probity.ENOTFOUND && len(failed) > 0) {
			return err
		}
		return c.controlPage(w, r, http.StatusBadRequest, FormErrors{field: probity.ErrorMessage(err)}, text)
	}
	http.Redirect(w, r, controlPath(id, set, ctl)+"?done=created#evidence", http.StatusSeeOther)
	return nil
}

// evidenceUpload issues an upload URL for one file of manual evidence of the control
// (Config.Uploads, as GetEvidenceFileUploadUrl does), for the drag-and-drop upload: it
// answers JSON {"evidenceFileName", "uploadUrl"}, the URL a path on this listener. Only a
// caller who may import evidence to the control gets one.
func (c *Console) evidenceUpload(w http.ResponseWriter, r *http.Request) error {
	if c.cfg.Uploads == nil {
		return probity.Errorf(probity.ENOTFOUND, "This console does not issue upload URLs; use the file form.")
	}
	p := principal(r)
	if _, err := c.requireAssessment(r, r.PathValue("id"), probity.ImportEvidence, r.PathValue("set"), ""); err != nil {
		return err
	}
	name, upath, err := c.cfg.Uploads.IssueUpload(p.AccountID, r.PostFormValue("fileName"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(map[string]string{"evidenceFileName": name, "uploadUrl": upath})
}

// evidenceFile is the file form without JavaScript: a multipart form (bounded by
// Config.MaxUploadBytes) whose file is kept as an upload (assess.Service.Upload) and
// imported as manual evidence. The caller's right to import is checked before the
// file is kept.
func (c *Console) evidenceFile(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	id, set := r.PathValue("id"), r.PathValue("set")
	if _, err := c.requireAssessment(r, id, probity.ImportEvidence, set, ""); err != nil {
		return err
	}
	f, hdr, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return c.controlPage(w, r, http.StatusBadRequest, FormErrors{"file": "Choose a file to upload."}, "")
	} else if err != nil {
		return err
	}
	defer f.Close()
	name := path.Base(strings.ReplaceAll(hdr.Filename, `\`, "/"))
	if err := assess.CheckFileName(name); err != nil {
		return c.controlPage(w, r, http.StatusBadRequest, FormErrors{"file": "The file's name must be 1 to 300 characters of text without a slash."}, "")
	}
	uid := probity.NewID()
	if _, err := c.cfg.Assess.Upload(r.Context(), p.AccountID, uid, name, f); err != nil {
		if errors.Is(err, assess.ErrTooLarge) {
			return c.controlPage(w, r, http.StatusRequestEntityTooLarge, FormErrors{"file": "The file is larger than 100 MB."}, "")
		}
		return err
	}
	return c.importEvidence(w, r, assess.ManualEvidence{EvidenceFileName: assess.UploadName(uid, name)}, "file", "")
}

// isFileForm reports whether the request is the evidence file form, whose body is bounded
// by Config.MaxUploadBytes rather than MaxBodyBytes.
func isFileForm(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, Prefix+"assessments/") && strings.HasSuffix(r.URL.Path, "/evidence/file")
}
