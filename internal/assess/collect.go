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
// the job runner plans its collections from.
func (s *Service) Collections(ctx context.Context, f CollectionFilter) ([]Collection, error) {
	var out []Collection
	q := store.AssessmentQuery{Account: f.Account, Status: probity.AssessmentActive, Limit: 100}
	for {
		page, err := s.Store.Assessments(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, a := range page {
			if f.AssessmentID != "" && a.ID != f.AssessmentID {
				continue
			}
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
		}
		if len(page) < q.Limit {
			return out, nil
		}
		last := page[len(page)-1]
		q.After = store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}
