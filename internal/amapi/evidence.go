package amapi

import (
	"context"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/store"
)

// Evidence operations: the evidence folders and evidence of an assessment, manual
// evidence, and upload URLs for its files (the uploads themselves: upload.go).

// Token kinds of the evidence listings.
const (
	tokenFolders        = 'o'
	tokenControlFolders = 'p'
	tokenEvidence       = 'v'
)

type foldersResponse struct {
	EvidenceFolders []evidenceFolderOut `json:"evidenceFolders"`
	NextToken       string              `json:"nextToken,omitempty"`
}

// folderPage returns the response of a page of folders read with limit+1.
func folderPage(kind byte, page []probity.EvidenceFolder, limit int) foldersResponse {
	resp := foldersResponse{EvidenceFolders: make([]evidenceFolderOut, 0, min(len(page), limit))}
	if len(page) > limit {
		page = page[:limit]
		last := page[limit-1]
		resp.NextToken = nextToken(kind, store.Cursor{CreatedAt: last.Date, ID: last.ID})
	}
	for i := range page {
		resp.EvidenceFolders = append(resp.EvidenceFolders, toEvidenceFolder(&page[i]))
	}
	return resp
}

func folderCursor(c store.Cursor) store.FolderCursor {
	return store.FolderCursor{Date: c.CreatedAt, ID: c.ID}
}

func getEvidenceFoldersByAssessment(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := assessmentID(c)
	if err != nil {
		return nil, err
	}
	limit, after, err := c.pageParams(tokenFolders)
	if err != nil {
		return nil, err
	}
	page, err := h.assess.EvidenceFolders(ctx, c.caller, id, folderCursor(after), limit+1)
	if err != nil {
		return nil, err
	}
	return folderPage(tokenFolders, page, limit), nil
}

// controlID returns the path's controlId, or a ValidationException.
func controlID(c *call) (string, error) {
	return c.pathUUID("controlId")
}

func getEvidenceFoldersByAssessmentControl(ctx context.Context, h *Handler, c *call) (any, error) {
	id, setID, ctlID, err := controlPath(c)
	if err != nil {
		return nil, err
	}
	limit, after, err := c.pageParams(tokenControlFolders)
	if err != nil {
		return nil, err
	}
	page, err := h.assess.ControlEvidenceFolders(ctx, c.caller, id, setID, ctlID, folderCursor(after), limit+1)
	if err != nil {
		return nil, err
	}
	return folderPage(tokenControlFolders, page, limit), nil
}

// folderPath returns the path's assessmentId, controlSetId and evidenceFolderId, or a
// ValidationException.
func folderPath(c *call) (id, setID, folderID string, err error) {
	if id, err = assessmentID(c); err != nil {
		return
	}
	if setID, err = controlSetID(c); err != nil {
		return
	}
	folderID, err = c.pathUUID("evidenceFolderId")
	return
}

func getEvidenceFolder(ctx context.Context, h *Handler, c *call) (any, error) {
	id, setID, folderID, err := folderPath(c)
	if err != nil {
		return nil, err
	}
	f, err := h.assess.EvidenceFolder(ctx, c.caller, id, setID, folderID)
	if err != nil {
		return nil, err
	}
	return struct {
		EvidenceFolder evidenceFolderOut `json:"evidenceFolder"`
	}{toEvidenceFolder(f)}, nil
}

func getEvidenceByEvidenceFolder(ctx context.Context, h *Handler, c *call) (any, error) {
	id, setID, folderID, err := folderPath(c)
	if err != nil {
		return nil, err
	}
	limit, after, err := c.pageParams(tokenEvidence)
	if err != nil {
		return nil, err
	}
	var seq int64
	if after.ID != "" {
		var ok bool
		if seq, ok = probity.EvidenceSequence(after.ID); !ok {
			return nil, invalidField("nextToken", "is not a token this listing returned")
		}
	}
	page, err := h.assess.EvidenceByFolder(ctx, c.caller, id, setID, folderID, seq, limit+1)
	if err != nil {
		return nil, err
	}
	resp := struct {
		Evidence  []evidenceOut `json:"evidence"`
		NextToken string        `json:"nextToken,omitempty"`
	}{Evidence: make([]evidenceOut, 0, min(len(page), limit))}
	if len(page) > limit {
		page = page[:limit]
		last := page[limit-1]
		resp.NextToken = nextToken(tokenEvidence, store.Cursor{CreatedAt: last.Time, ID: last.ID})
	}
	for i := range page {
		resp.Evidence = append(resp.Evidence, toEvidence(&page[i]))
	}
	return resp, nil
}

func getEvidence(ctx context.Context, h *Handler, c *call) (any, error) {
	id, setID, folderID, err := folderPath(c)
	if err != nil {
		return nil, err
	}
	evidenceID, err := c.pathUUID("evidenceId")
	if err != nil {
		return nil, err
	}
	e, err := h.assess.Evidence(ctx, c.caller, id, setID, folderID, evidenceID)
	if err != nil {
		return nil, err
	}
	return struct {
		Evidence evidenceOut `json:"evidence"`
	}{toEvidence(e)}, nil
}

func batchImportEvidence(ctx context.Context, h *Handler, c *call) (any, error) {
	id, setID, ctlID, err := controlPath(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		ManualEvidence []manualEvidenceWire `json:"manualEvidence"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	items := make([]assess.ManualEvidence, len(in.ManualEvidence))
	for i, m := range in.ManualEvidence {
		items[i] = assess.ManualEvidence{TextResponse: m.TextResponse, S3ResourcePath: m.S3ResourcePath, EvidenceFileName: m.EvidenceFileName}
	}
	failed, err := h.assess.ImportEvidence(ctx, c.caller, id, setID, ctlID, items)
	if err != nil {
		return nil, err
	}
	resp := struct {
		Errors []importEvidenceError `json:"errors"`
	}{Errors: []importEvidenceError{}}
	for _, f := range failed {
		code, msg := itemError(f.Err)
		resp.Errors = append(resp.Errors, importEvidenceError{ManualEvidence: in.ManualEvidence[f.Index], ErrorCode: code, ErrorMessage: msg})
	}
	return resp, nil
}

// UploadTTL is how long an evidence file upload URL may be used.
const UploadTTL = 15 * time.Minute

func getEvidenceFileUploadURL(ctx context.Context, h *Handler, c *call) (any, error) {
	q := c.r.URL.Query()
	name := q.Get("fileName")
	if !q.Has("fileName") {
		return nil, invalidField("fileName", "is required")
	}
	if err := assess.CheckFileName(name); err != nil {
		return nil, err
	}
	id := probity.NewID()
	url := h.uploadBase(c.r) + "/uploads/" + h.uploads.issue(c.caller.AccountID, id, name, c.now.Add(UploadTTL))
	return struct {
		EvidenceFileName string `json:"evidenceFileName"`
		UploadURL        string `json:"uploadUrl"`
	}{assess.UploadName(id, name), url}, nil
}
