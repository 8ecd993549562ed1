package amapi

import (
	"context"
)

// Evidence selection for the assessment report: by item (BatchAssociate/
// BatchDisassociateAssessmentReportEvidence) and by folder (Associate/
// DisassociateAssessmentReportEvidenceFolder).

type reportEvidenceError struct {
	EvidenceID   string `json:"evidenceId,omitempty"`
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
}

// selectionBody returns the path's assessmentId and the body's evidenceFolderId, or a
// ValidationException.
func selectionBody(c *call, in *selectionInput) (string, error) {
	id, err := assessmentID(c)
	if err != nil {
		return "", err
	}
	if err := c.decode(in); err != nil {
		return "", err
	}
	if in.EvidenceFolderID == "" {
		return "", invalidField("evidenceFolderId", "is required")
	}
	return id, checkUUID("evidenceFolderId", in.EvidenceFolderID)
}

type selectionInput struct {
	EvidenceFolderID string   `json:"evidenceFolderId"`
	EvidenceIDs      []string `json:"evidenceIds"`
}

func batchSelectEvidence(selected bool) func(ctx context.Context, h *Handler, c *call) (any, error) {
	return func(ctx context.Context, h *Handler, c *call) (any, error) {
		var in selectionInput
		id, err := selectionBody(c, &in)
		if err != nil {
			return nil, err
		}
		if in.EvidenceIDs == nil {
			return nil, invalidField("evidenceIds", "is required")
		}
		done, failed, err := h.assess.SelectEvidence(ctx, c.caller, id, in.EvidenceFolderID, in.EvidenceIDs, selected)
		if err != nil {
			return nil, err
		}
		resp := struct {
			EvidenceIDs []string              `json:"evidenceIds"`
			Errors      []reportEvidenceError `json:"errors"`
		}{EvidenceIDs: done, Errors: []reportEvidenceError{}}
		if resp.EvidenceIDs == nil {
			resp.EvidenceIDs = []string{}
		}
		for _, f := range failed {
			code, msg := itemError(f.Err)
			resp.Errors = append(resp.Errors, reportEvidenceError{EvidenceID: in.EvidenceIDs[f.Index], ErrorCode: code, ErrorMessage: msg})
		}
		return resp, nil
	}
}

func selectFolder(selected bool) func(ctx context.Context, h *Handler, c *call) (any, error) {
	return func(ctx context.Context, h *Handler, c *call) (any, error) {
		var in selectionInput
		id, err := selectionBody(c, &in)
		if err != nil {
			return nil, err
		}
		return nil, h.assess.SelectFolder(ctx, c.caller, id, in.EvidenceFolderID, selected)
	}
}
