package store

import (
	"context"

	"github.com/probity-dev/probity"
)

// AssessmentQuery asks for an account's assessments after a cursor, oldest first; of one
// status when Status is set. An empty Account asks for every account's, for the
// collectors that serve them all.
type AssessmentQuery struct {
	Account string
	Status  probity.AssessmentStatus
	After   Cursor
	Limit   int
}

// ChangeLogQuery asks for an assessment's change log after a cursor (whose ID is the last
// entry read), in the order the entries were added; only the entries about one control
// set, or one control, when those are set.
type ChangeLogQuery struct {
	Account, AssessmentID, ControlSetID, ControlID string
	After                                          Cursor
	Limit                                          int
}

// DelegationQuery asks for the delegations to one identity ARN in an account, after a
// cursor, oldest first.
type DelegationQuery struct {
	Account, RoleARN string
	After            Cursor
	Limit            int
}

// AssessmentReader reads assessments, their delegations and their change logs. Each read
// is for one account: another account's assessments answer ENOTFOUND.
type AssessmentReader interface {
	// Assessment returns the assessment with its delegations, or an ENOTFOUND error.
	Assessment(ctx context.Context, account, id string) (*probity.Assessment, error)
	// AssessmentAccess returns the assessment with only what deciding who may read its
	// evidence needs: its id, account, name and status, its roles, the ids of its control
	// sets and of their controls, and its delegations; or an ENOTFOUND error. It skips
	// the rest of the snapshot (descriptions, data sources, comments), which a read of
	// Assessment decodes whole, so the evidence reads stay fast however large the
	// framework.
	AssessmentAccess(ctx context.Context, account, id string) (*probity.Assessment, error)
	// Assessments returns up to q.Limit assessments, with their delegations.
	Assessments(ctx context.Context, q AssessmentQuery) ([]probity.Assessment, error)
	// ChangeLogs returns up to q.Limit entries of the assessment's change log.
	ChangeLogs(ctx context.Context, q ChangeLogQuery) ([]probity.ChangeLog, error)
	// DelegationsTo returns up to q.Limit delegations, with their assessment's name.
	DelegationsTo(ctx context.Context, q DelegationQuery) ([]probity.Delegation, error)
}

// AssessmentWriter changes assessments.
type AssessmentWriter interface {
	// CreateAssessment stores a new assessment (its Delegations aside); ECONFLICT when
	// the id exists.
	CreateAssessment(ctx context.Context, a *probity.Assessment) error
	// PutAssessment replaces the stored assessment of a.AccountID with the id (its
	// Delegations aside); ENOTFOUND when there is none.
	PutAssessment(ctx context.Context, a *probity.Assessment) error
	// DeleteAssessment deletes the assessment with its delegations and change log;
	// ENOTFOUND when the account has none with the id.
	DeleteAssessment(ctx context.Context, account, id string) error
	// AddChangeLogs appends entries to change logs, in order; each ID must be set and
	// unique. Callers hold LockAssessments, which keeps each log's order one sequence.
	AddChangeLogs(ctx context.Context, logs []probity.ChangeLog) error
	// PutDelegations inserts or replaces delegations by id.
	PutDelegations(ctx context.Context, ds []probity.Delegation) error
	// DeleteDelegations deletes the assessment's delegations by id; ENOTFOUND when one
	// is not the assessment's.
	DeleteDelegations(ctx context.Context, account, assessmentID string, ids []string) error
}
