package probity

import "time"

// ChangeObject is the kind of object a change log entry is about.
type ChangeObject string

// Change log object types, as the service model names them.
const (
	ChangeAssessment       ChangeObject = "ASSESSMENT"
	ChangeControlSet       ChangeObject = "CONTROL_SET"
	ChangeControl          ChangeObject = "CONTROL"
	ChangeDelegation       ChangeObject = "DELEGATION"
	ChangeAssessmentReport ChangeObject = "ASSESSMENT_REPORT"
)

// ChangeAction is what a change did, as the service model names it.
type ChangeAction string

// Change log actions.
const (
	ActionCreate         ChangeAction = "CREATE"
	ActionUpdateMetadata ChangeAction = "UPDATE_METADATA"
	ActionActive         ChangeAction = "ACTIVE"
	ActionInactive       ChangeAction = "INACTIVE"
	ActionDelete         ChangeAction = "DELETE"
	ActionUnderReview    ChangeAction = "UNDER_REVIEW"
	ActionReviewed       ChangeAction = "REVIEWED"
	ActionImportEvidence ChangeAction = "IMPORT_EVIDENCE"
)

// ChangeLog records one change to an assessment: who did what, when, to which object.
// ControlSetID and ControlID say which control set or control it touched, when any, so
// that a reader can ask for one control's history.
type ChangeLog struct {
	ID           string
	AccountID    string
	AssessmentID string
	ControlSetID string
	ControlID    string
	ObjectType   ChangeObject
	ObjectName   string
	Action       ChangeAction
	CreatedAt    time.Time
	// CreatedBy is the identity ARN of the caller.
	CreatedBy string
}
