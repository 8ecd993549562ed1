package assess

import (
	"context"
	"slices"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// Reading evidence. Every read checks probity.ReadEvidence on the control set read: the
// assessment's PROCESS_OWNERs and admin keys read every set's evidence, a delegate its
// delegated sets', anyone else none (EUNAUTHORIZED).

// folderPageSize is how many folders one store read returns while counting or filtering.
const folderPageSize = 1000

// access returns what deciding the caller's access to its assessment needs (see
// store.AssessmentReader.AssessmentAccess: roles, control set and control ids,
// delegations); ENOTFOUND otherwise. The evidence reads use it rather than get, which
// decodes the whole snapshot.
func (s *Service) access(ctx context.Context, p auth.Principal, id string) (*probity.Assessment, error) {
	a, err := s.Store.AssessmentAccess(ctx, p.AccountID, id)
	return a, asNotFound(err, id)
}

// readable returns the caller's assessment as access does, after checking that it may
// read the evidence of the control set, which must exist (ENOTFOUND otherwise).
func (s *Service) readable(ctx context.Context, p auth.Principal, id, setID string) (*probity.Assessment, error) {
	a, err := s.access(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if a.ControlSet(setID) == nil {
		return nil, probity.NotFound("controlSet", setID)
	}
	if err := a.Authorize(actor(p), probity.ReadEvidence, setID, ""); err != nil {
		return nil, err
	}
	return a, nil
}

// EvidenceFolders returns up to limit of the evidence folders of the caller's assessment
// after the cursor, by day then id: of every control set the caller may read (all for a
// PROCESS_OWNER or an admin, the delegated ones for a delegate). It returns ENOTFOUND for
// an assessment the caller does not see, and EUNAUTHORIZED when it may read no set.
func (s *Service) EvidenceFolders(ctx context.Context, p auth.Principal, id string, after store.FolderCursor, limit int) ([]probity.EvidenceFolder, error) {
	a, err := s.access(ctx, p, id)
	if err != nil {
		return nil, err
	}
	who := actor(p)
	if who.Admin || a.ProcessOwner(who.ARN) {
		return s.Store.EvidenceFolders(ctx, store.FolderPage{AccountID: p.AccountID, AssessmentID: id, After: after, Limit: limit})
	}
	sets := a.DelegatedSets(who.ARN)
	if len(sets) == 0 {
		return nil, a.Authorize(who, probity.ReadEvidence, "", "")
	}
	// A delegate's folders are those of its sets among all: read on until the page is full.
	var out []probity.EvidenceFolder
	for {
		page, err := s.Store.EvidenceFolders(ctx, store.FolderPage{AccountID: p.AccountID, AssessmentID: id, After: after, Limit: folderPageSize})
		if err != nil {
			return nil, err
		}
		for _, f := range page {
			if sets[f.ControlSetID] {
				out = append(out, f)
				if len(out) == limit {
					return out, nil
				}
			}
		}
		if len(page) < folderPageSize {
			return out, nil
		}
		last := page[len(page)-1]
		after = store.FolderCursor{Date: last.Date, ID: last.ID}
	}
}

// ControlEvidenceFolders returns up to limit of the evidence folders of one control of
// the caller's assessment after the cursor, by day then id. It returns ENOTFOUND for an
// assessment, control set or control that does not exist, and EUNAUTHORIZED for a caller
// that may not read the set's evidence.
func (s *Service) ControlEvidenceFolders(ctx context.Context, p auth.Principal, id, setID, controlID string, after store.FolderCursor, limit int) ([]probity.EvidenceFolder, error) {
	a, err := s.readable(ctx, p, id, setID)
	if err != nil {
		return nil, err
	}
	if a.ControlSet(setID).Control(controlID) == nil {
		return nil, probity.NotFound("control", controlID)
	}
	return s.Store.EvidenceFolders(ctx, store.FolderPage{AccountID: p.AccountID, AssessmentID: id, ControlSetID: setID,
		ControlID: controlID, After: after, Limit: limit})
}

// EvidenceFolder returns the evidence folder of the caller's assessment's control set. It
// returns ENOTFOUND for a folder of another set, and otherwise fails as
// ControlEvidenceFolders does.
func (s *Service) EvidenceFolder(ctx context.Context, p auth.Principal, id, setID, folderID string) (*probity.EvidenceFolder, error) {
	if _, err := s.readable(ctx, p, id, setID); err != nil {
		return nil, err
	}
	f, err := s.Store.EvidenceFolder(ctx, p.AccountID, id, folderID)
	if err == nil && f.ControlSetID != setID {
		err = probity.NotFound("evidenceFolder", folderID)
	}
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return nil, probity.NotFound("evidenceFolder", folderID)
	}
	return f, err
}

// EvidenceByFolder returns up to limit evidence of the folder after the sequence, in the
// order it was appended. It fails as EvidenceFolder does.
func (s *Service) EvidenceByFolder(ctx context.Context, p auth.Principal, id, setID, folderID string, after int64, limit int) ([]probity.Evidence, error) {
	if _, err := s.EvidenceFolder(ctx, p, id, setID, folderID); err != nil {
		return nil, err
	}
	return s.Store.EvidenceByFolder(ctx, store.EvidencePage{AccountID: p.AccountID, AssessmentID: id, FolderID: folderID,
		After: after, Limit: limit})
}

// Evidence returns the evidence with the id in the folder of the control set. It returns
// ENOTFOUND for evidence of another folder, and otherwise fails as EvidenceFolder does.
func (s *Service) Evidence(ctx context.Context, p auth.Principal, id, setID, folderID, evidenceID string) (*probity.Evidence, error) {
	if _, err := s.readable(ctx, p, id, setID); err != nil {
		return nil, err
	}
	e, err := s.Store.Evidence(ctx, p.AccountID, id, evidenceID)
	if err == nil && (e.EvidenceFolderID != folderID || e.ControlSetID != setID) {
		err = probity.NotFound("evidence", evidenceID)
	}
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return nil, probity.NotFound("evidence", evidenceID)
	}
	return e, err
}

// countEvidence fills a's evidence counters from the ledger's folder totals: each control's
// evidence count, report selections and data sources (in the order first seen), and each
// control set's manual and system (every other) evidence counts.
func (s *Service) countEvidence(ctx context.Context, a *probity.Assessment) error {
	type key struct{ set, control string }
	controls := map[key]*probity.AssessmentControl{}
	for i := range a.ControlSets {
		set := &a.ControlSets[i]
		set.ManualEvidenceCount, set.SystemEvidenceCount = 0, 0
		for k := range set.Controls {
			c := &set.Controls[k]
			c.EvidenceCount, c.AssessmentReportEvidenceCount, c.EvidenceSources = 0, 0, nil
			controls[key{set.ID, c.ID}] = c
		}
	}
	totals, err := s.Store.EvidenceTotals(ctx, a.AccountID, a.ID)
	if err != nil {
		return err
	}
	for _, f := range totals {
		if set := a.ControlSet(f.ControlSetID); set != nil {
			set.ManualEvidenceCount += f.EvidenceByTypeManualCount
			set.SystemEvidenceCount += f.TotalEvidence - f.EvidenceByTypeManualCount
		}
		c := controls[key{f.ControlSetID, f.ControlID}]
		if c == nil {
			continue // a control the assessment no longer holds (after a sync)
		}
		c.EvidenceCount += f.TotalEvidence
		c.AssessmentReportEvidenceCount += f.AssessmentReportSelectionCount
		if f.DataSource != "" && !slices.Contains(c.EvidenceSources, f.DataSource) {
			c.EvidenceSources = append(c.EvidenceSources, f.DataSource)
		}
	}
	return nil
}
