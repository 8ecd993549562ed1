package assess

import (
	"context"

	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/report"
	"github.com/probity-dev/probity/internal/store"
)

// Report returns the caller's report of the assessment with the id, in any status, as
// List shows it to anyone who may read the account. It returns ENOTFOUND for a report the
// caller's assessment does not have.
func (r *Reports) Report(ctx context.Context, p auth.Principal, assessmentID, id string) (*store.AssessmentReport, error) {
	return r.get(ctx, p, assessmentID, id)
}

// Verify checks the integrity of the caller's COMPLETE report as it is at its destination
// now, as Validate does for its location. It fails as Download does, and as Validate for
// the file.
func (r *Reports) Verify(ctx context.Context, p auth.Principal, assessmentID, id string) (*report.Result, error) {
	rep, _, err := r.Download(ctx, p, assessmentID, id)
	if err != nil {
		return nil, err
	}
	return r.Validate(ctx, p, Location(rep))
}
