package assess

import (
	"context"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// Collection is one data source that an active assessment collects evidence from, for
// one of its controls, across the assessment's scope.
type Collection struct {
	Account, AssessmentID, ControlSetID, ControlID, ControlName string
	Source                                                      probity.ControlMappingSource
	// Scope is the assessment's: the AWS accounts and services evidence is collected from.
	Scope probity.Scope
}

// CollectionFilter narrows Collections; empty members match everything.
type CollectionFilter struct {
	Account      string
	AssessmentID string
}

// Collections returns every data source of every ACTIVE assessment that f matches, in the
// order of the assessments' creation; controls set INACTIVE collect nothing. It is what
// the job runner plans its collections from; a job, which names its account and
// assessment, reads that one assessment only.
func (s *Service) Collections(ctx context.Context, f CollectionFilter) ([]Collection, error) {
	if f.Account != "" && f.AssessmentID != "" {
		a, err := s.Store.Assessment(ctx, f.Account, f.AssessmentID)
		switch {
		case probity.ErrorCode(err) == probity.ENOTFOUND:
			return nil, nil
		case err != nil:
			return nil, err
		case a.Status != probity.AssessmentActive:
			return nil, nil
		}
		return collections(nil, a), nil
	}
	var out []Collection
	q := store.AssessmentQuery{Account: f.Account, Status: probity.AssessmentActive, Limit: 100}
	for {
		page, err := s.Store.Assessments(ctx, q)
		if err != nil {
			return nil, err
		}
		for i := range page {
			if f.AssessmentID == "" || page[i].ID == f.AssessmentID {
				out = collections(out, &page[i])
			}
		}
		if len(page) < q.Limit {
			return out, nil
		}
		last := page[len(page)-1]
		q.After = store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}

// collections appends the data sources of a's controls that are not INACTIVE to out.
func collections(out []Collection, a *probity.Assessment) []Collection {
	for _, set := range a.ControlSets {
		for _, c := range set.Controls {
			if c.Status == probity.ControlInactive {
				continue
			}
			for _, src := range c.DataSources {
				out = append(out, Collection{Account: a.AccountID, AssessmentID: a.ID, ControlSetID: set.ID,
					ControlID: c.ID, ControlName: c.Name, Source: src, Scope: a.Scope})
			}
		}
	}
	return out
}
