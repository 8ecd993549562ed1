package probity

import "time"

// DelegationStatus is where a delegated review stands.
type DelegationStatus string

// Delegation statuses: the delegate works (IN_PROGRESS), submits (UNDER_REVIEW), and the
// process owner completes the review (COMPLETE).
const (
	DelegationInProgress  DelegationStatus = "IN_PROGRESS"
	DelegationUnderReview DelegationStatus = "UNDER_REVIEW"
	DelegationComplete    DelegationStatus = "COMPLETE"
)

// Delegation hands the review of one control set of an assessment to an IAM identity.
type Delegation struct {
	ID           string
	AccountID    string
	AssessmentID string
	// AssessmentName is filled on read, from the assessment.
	AssessmentName string
	ControlSetID   string
	RoleARN        string
	RoleType       RoleType
	Status         DelegationStatus
	Comment        string
	CreatedBy      string
	CreatedAt      time.Time
	LastUpdatedAt  time.Time
}

// Open reports whether the delegate may still work on the control set.
func (d *Delegation) Open() bool { return d.Status != DelegationComplete }
