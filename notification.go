package probity

import "time"

// Notification is one message Probity keeps for the people who follow it: the outcome of
// a catalog reconcile, or an assessment event. Member names follow the Audit Manager
// data model; the assessment members are empty for catalog outcomes.
type Notification struct {
	ID             string
	AssessmentID   string
	AssessmentName string
	ControlSetID   string
	ControlSetName string
	Description    string
	EventTime      time.Time
	Source         string
	// AccountID is the account the notification is for.
	AccountID string
}
