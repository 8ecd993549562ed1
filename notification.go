package probity

import "time"

// Notification is one message Probity keeps for the people who follow it: the outcome of
// a catalog reconcile, or an assessment event. Member names follow the Audit Manager
// data model; the assessment members are empty for catalog outcomes.
type Notification struct {
	ID             string    `json:"id"`
	AssessmentID   string    `json:"assessmentId,omitempty"`
	AssessmentName string    `json:"assessmentName,omitempty"`
	ControlSetID   string    `json:"controlSetId,omitempty"`
	ControlSetName string    `json:"controlSetName,omitempty"`
	Description    string    `json:"description"`
	EventTime      time.Time `json:"eventTime"`
	Source         string    `json:"source"`
	// AccountID is the account the notification is for.
	AccountID string `json:"-"`
}
