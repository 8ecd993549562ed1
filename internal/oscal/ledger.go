package oscal

import (
	"context"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// pageSize is how many folders, or evidence items, LedgerEvidence reads at once.
const pageSize = 500

// LedgerEvidence returns a ResultsInput.Evidence that reads the evidence of one account's
// assessment from r, a page of folders and of evidence at a time: each control's folders
// by day and data source, each folder's evidence in sequence order. r should be the
// Reader of one store View, so that every call sees the same ledger.
func LedgerEvidence(r store.EvidenceReader, account, assessmentID string) func(context.Context, string, string, func(*probity.Evidence) error) error {
	return func(ctx context.Context, controlSetID, controlID string, fn func(*probity.Evidence) error) error {
		fp := store.FolderPage{AccountID: account, AssessmentID: assessmentID, ControlSetID: controlSetID, ControlID: controlID, Limit: pageSize}
		for {
			folders, err := r.EvidenceFolders(ctx, fp)
			if err != nil {
				return err
			}
			for _, f := range folders {
				ep := store.EvidencePage{AccountID: account, AssessmentID: assessmentID, FolderID: f.ID, Limit: pageSize}
				for {
					evs, err := r.EvidenceByFolder(ctx, ep)
					if err != nil {
						return err
					}
					for i := range evs {
						if err := fn(&evs[i]); err != nil {
							return err
						}
					}
					if len(evs) < ep.Limit {
						break
					}
					ep.After = evs[len(evs)-1].Sequence
				}
			}
			if len(folders) < fp.Limit {
				return nil
			}
			last := folders[len(folders)-1]
			fp.After = store.FolderCursor{Date: last.Date, ID: last.ID}
		}
	}
}
