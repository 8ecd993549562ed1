package console

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/amapi"
)

// evidencePageSize is how many evidence items one page of a folder lists.
const evidencePageSize = 50

// evidenceFolderData is the page of one evidence folder: its counts and its evidence.
type evidenceFolderData struct {
	A        *probity.Assessment
	Set      *probity.AssessmentControlSet
	Folder   *probity.EvidenceFolder
	Evidence []probity.Evidence
	Pager    pager
}

// folderPath returns the path of an evidence folder's page.
func folderPath(id, set, folder string) string {
	return assessmentPath(id) + "/sets/" + url.PathEscape(set) + "/folders/" + url.PathEscape(folder)
}

// evidenceFolder shows an evidence folder (one control's evidence of one data source and
// day) with its counts, and its evidence in the order appended, paged by chain position,
// as GetEvidenceFolder and GetEvidenceByEvidenceFolder do.
func (c *Console) evidenceFolder(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	id, setID, folderID := r.PathValue("id"), r.PathValue("set"), r.PathValue("folder")
	var after int64
	if s := r.URL.Query().Get(afterParam); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return errBadPage
		}
		after = n
	}
	f, err := c.cfg.Assess.EvidenceFolder(r.Context(), p, id, setID, folderID)
	if err != nil {
		return err
	}
	evs, err := c.cfg.Assess.EvidenceByFolder(r.Context(), p, id, setID, folderID, after, evidencePageSize+1)
	if err != nil {
		return err
	}
	var next string
	if len(evs) > evidencePageSize {
		evs = evs[:evidencePageSize]
		next = strconv.FormatInt(evs[len(evs)-1].Sequence, 10)
	}
	a, err := c.cfg.Assess.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	return c.render(w, r, "assessment_folder", evidenceFolderData{A: a, Set: a.ControlSet(setID), Folder: f, Evidence: evs, Pager: pageLinks(r, next)})
}

// evidenceItemData is the page of one evidence item.
type evidenceItemData struct {
	A      *probity.Assessment
	Set    *probity.AssessmentControlSet
	Folder *probity.EvidenceFolder
	E      *probity.Evidence
	// Raw is the evidence record as GetEvidence returns it, indented.
	Raw string
}

// evidenceItem shows one evidence item: its members, its place in the assessment's
// ledger chain (sequence and chain hash), the record as JSON, and a link to its file.
func (c *Console) evidenceItem(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	id, setID, folderID := r.PathValue("id"), r.PathValue("set"), r.PathValue("folder")
	e, err := c.cfg.Assess.Evidence(r.Context(), p, id, setID, folderID, r.PathValue("ev"))
	if err != nil {
		return err
	}
	f, err := c.cfg.Assess.EvidenceFolder(r.Context(), p, id, setID, folderID)
	if err != nil {
		return err
	}
	a, err := c.cfg.Assess.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	raw, err := amapi.EvidenceJSON(e)
	if err != nil {
		return err
	}
	return c.render(w, r, "assessment_evidence", evidenceItemData{A: a, Set: a.ControlSet(setID), Folder: f, E: e, Raw: string(raw)})
}

// evidenceDownload sends the file kept with an evidence item as an attachment, named
// as it was uploaded (else by the evidence's id), to a caller that may read it.
func (c *Console) evidenceDownload(w http.ResponseWriter, r *http.Request) error {
	rc, e, err := c.cfg.Assess.EvidenceFile(r.Context(), principal(r), r.PathValue("id"), r.PathValue("set"), r.PathValue("folder"), r.PathValue("ev"))
	if err != nil {
		return err
	}
	defer rc.Close()
	name := e.Attributes["fileName"]
	if name == "" {
		name = e.ID + ".txt"
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	if size := e.Attributes["size"]; size != "" {
		h.Set("Content-Length", size)
	}
	_, err = io.Copy(w, rc)
	if err != nil {
		infoOf(r.Context()).err = err // headers are sent: the log, not a page
	}
	return nil
}
