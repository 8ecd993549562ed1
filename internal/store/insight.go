package store

import (
	"context"
	"time"
)

// InsightScope selects the assessments and controls that insights sum over: the one
// assessment of the account with AssessmentID (whatever its status), or else every ACTIVE
// assessment of the account; of those, only the controls of the domain named Domain
// (probity.DomainUncategorized for controls without one) when it is set, and only those
// of the control sets ControlSetIDs when it is not nil.
type InsightScope struct {
	AccountID     string
	AssessmentID  string
	Domain        string
	ControlSetIDs []string
}

// InsightGroup says which members insight sums are grouped by; they are summed over the
// others.
type InsightGroup uint8

// Insight groupings; they combine (ByAssessment|ByControl).
const (
	ByAssessment InsightGroup = 1 << iota
	ByDomain
	ByControl
)

// InsightDay is the sum of the daily evidence aggregates of one group on one UTC day.
// Members that the query does not group by are empty.
type InsightDay struct {
	Date                            time.Time
	AssessmentID, Domain, ControlID string
	Compliant                       int
	NonCompliant                    int
	Inconclusive                    int
	// AssessmentControls counts the assessment controls (an assessment's control) that
	// collected evidence that day; NonCompliantAssessmentControls those of them with
	// non-compliant evidence; NonCompliantControls the distinct controls (by id, across
	// assessments) with non-compliant evidence.
	AssessmentControls             int
	NonCompliantAssessmentControls int
	NonCompliantControls           int
}

// InsightTotal counts the assessments and controls of one group of a scope, whether or
// not they collected evidence.
type InsightTotal struct {
	AssessmentID, Domain string // the grouped members; empty otherwise
	Assessments          int
	AssessmentControls   int // an assessment's controls, counted in each assessment
	Controls             int // distinct control ids
}

// InsightControl is an assessment's control as insights name it: its snapshot's name and
// domain, and the first control set that holds it.
type InsightControl struct {
	AssessmentID, ControlID      string
	ControlSetID, ControlSetName string
	Name, Domain                 string
}

// InsightReader reads the sums that insights are made of: the daily evidence aggregates
// (never the evidence) of an account's assessments, joined with their controls' domains.
// Every read is for one account; another account's assessment reads as empty.
type InsightReader interface {
	// InsightLastDay returns the latest UTC day up to the day of upTo on which the scope's
	// assessments collected evidence, or the zero time when there is none.
	InsightLastDay(ctx context.Context, s InsightScope, upTo time.Time) (time.Time, error)
	// InsightDays returns the scope's aggregates from the day of from to the day of to,
	// both included, summed by day and the members of g, ordered by day then those.
	InsightDays(ctx context.Context, s InsightScope, g InsightGroup, from, to time.Time) ([]InsightDay, error)
	// InsightTotals counts the scope's assessments and controls by the members of g
	// (ByAssessment, ByDomain; ByControl is ignored), ordered by those.
	InsightTotals(ctx context.Context, s InsightScope, g InsightGroup) ([]InsightTotal, error)
	// InsightControls returns the scope's assessment controls with the ids (every one
	// when ids is nil), by assessment then control id.
	InsightControls(ctx context.Context, s InsightScope, ids []string) ([]InsightControl, error)
}
