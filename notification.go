package probity

import (
	"strconv"
	"time"
)

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
	// Recipient is the identity ARN the notification is for (a delegate, a process
	// owner); empty means everyone in the account.
	Recipient string
}

// NotificationID returns a new id of the model's TimestampUUID shape for a notification
// at t: milliseconds since the epoch, an underscore and a random UUID.
func NotificationID(t time.Time) string {
	return strconv.FormatInt(t.UnixMilli(), 10) + "_" + NewID()
}
