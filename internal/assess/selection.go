package assess

import (
	"context"
	"fmt"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// Selecting evidence for the assessment report. Selection is the one thing about
// evidence that changes after its append; it shows in the evidence's
// AssessmentReportSelection and in its folder's and control's report counters. The
// assessment's PROCESS_OWNERs, admin keys and the delegates of the folder's control set
// may select (probity.SelectEvidence); the assessment may be in any status.

// maxSelectItems is the model's limit of evidence ids in one batch (EvidenceIds).
const maxSelectItems = 50

// selectable returns the caller's assessment and the folder, after checking that the
// caller may select the folder's evidence. It returns ENOTFOUND for an assessment the
// caller does not see or a folder that is not the assessment's, EUNAUTHORIZED for a
// caller that may not select its control set's evidence.
func (s *Service) selectable(ctx context.Context, r store.Reader, p auth.Principal, id, folderID string) (*probity.Assessment, *probity.EvidenceFolder, error) {
	a, err := r.Assessment(ctx, p.AccountID, id)
	if err != nil {
		return nil, nil, asNotFound(err, id)
	}
	f, err := r.EvidenceFolder(ctx, p.AccountID, id, folderID)
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return nil, nil, probity.NotFound("evidenceFolder", folderID)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := a.Authorize(actor(p), probity.SelectEvidence, f.ControlSetID, ""); err != nil {
		return nil, nil, err
	}
	return a, f, nil
}

// SelectEvidence adds the evidence with the ids, all of one folder, to the assessment
// report (selected) or removes it, and returns the ids it did so for. Selecting evidence
// selected already, or removing evidence that is not, does nothing and succeeds. Each id
// stands alone: one that is not a UUID (EINVALID) or names no evidence of the folder
// (ENOTFOUND) comes back as a Failure, and the others are done. It returns ENOTFOUND for
// an assessment the caller does not see or a folder that is not the assessment's,
// EUNAUTHORIZED for a caller that may not select its control set's evidence, and EINVALID
// for more than 50 ids.
func (s *Service) SelectEvidence(ctx context.Context, p auth.Principal, id, folderID string, ids []string, selected bool) ([]string, []Failure, error) {
	if len(ids) > maxSelectItems {
		return nil, nil, &probity.Error{Code: probity.EINVALID, Message: "too many evidence ids",
			Fields: []probity.FieldError{{Name: "evidenceIds", Message: fmt.Sprintf("must have at most %d items, got %d", maxSelectItems, len(ids))}}}
	}
	var done []string
	var failed []Failure
	err := s.Store.Update(ctx, store.LockNone, func(tx store.Tx) error {
		done, failed = nil, nil // a group commit may run fn again
		if _, _, err := s.selectable(ctx, tx, p, id, folderID); err != nil {
			return err
		}
		seen := map[string]bool{}
		for i, eid := range ids {
			if !probity.IsUUID(eid) {
				failed = append(failed, Failure{Index: i, Err: probity.Errorf(probity.EINVALID, "The evidence id %q is not a UUID.", eid)})
				continue
			}
			e, err := tx.Evidence(ctx, p.AccountID, id, eid)
			if err == nil && e.EvidenceFolderID != folderID {
				err = probity.NotFound("evidence", eid)
			}
			if probity.ErrorCode(err) == probity.ENOTFOUND {
				failed = append(failed, Failure{Index: i, Err: probity.Errorf(probity.ENOTFOUND, "The evidence folder %s holds no evidence %s.", folderID, eid)})
				continue
			}
			if err != nil {
				return err
			}
			if !seen[eid] {
				seen[eid] = true
				done = append(done, eid)
			}
		}
		if len(done) == 0 {
			return nil
		}
		return tx.SetEvidenceSelection(ctx, p.AccountID, id, done, selected)
	})
	if err != nil {
		return nil, nil, err
	}
	return done, failed, nil
}

// SelectFolder adds every evidence of the folder to the assessment report (selected) or
// removes it, in one transaction. It fails as SelectEvidence does for the assessment and
// the folder.
func (s *Service) SelectFolder(ctx context.Context, p auth.Principal, id, folderID string, selected bool) error {
	return s.Store.Update(ctx, store.LockNone, func(tx store.Tx) error {
		if _, _, err := s.selectable(ctx, tx, p, id, folderID); err != nil {
			return err
		}
		var after int64
		for {
			page, err := tx.EvidenceByFolder(ctx, store.EvidencePage{AccountID: p.AccountID, AssessmentID: id, FolderID: folderID,
				After: after, Limit: folderPageSize})
			if err != nil {
				return err
			}
			ids := make([]string, 0, len(page))
			for _, e := range page {
				if (e.AssessmentReportSelection == "Yes") != selected {
					ids = append(ids, e.ID)
				}
			}
			if len(ids) > 0 {
				if err := tx.SetEvidenceSelection(ctx, p.AccountID, id, ids, selected); err != nil {
					return err
				}
			}
			if len(page) < folderPageSize {
				return nil
			}
			after = page[len(page)-1].Sequence
		}
	})
}
