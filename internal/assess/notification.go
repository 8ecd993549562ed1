package assess

import (
	"context"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/store"
)

// NotificationSource is the source of the notifications of delegation events.
const NotificationSource = "Delegation"

// Publisher delivers assessment events to the SNS topic that an account's settings name
// (snsTopic); the SNS package's Publisher is one.
type Publisher interface {
	// Publish queues m for the topic. It must not block; delivery, retries and their
	// failures are the Publisher's own, since the change the event reports has been made.
	Publish(topicARN string, m notify.Message)
}

// event is one delegation event of an assessment: what its notifications say, and the
// delegate it concerns, who gets one beside the process owners.
type event struct {
	set      *probity.AssessmentControlSet
	delegate string
	text     string
}

// outbox is what a change tells once it is committed: the events, and the account's SNS
// topic read in the same transaction.
type outbox struct {
	topic, assessmentID, assessmentName string
	at                                  time.Time
	events                              []event
}

// tell stores a notification of each event for the delegate and for each process owner
// of a, and returns what to publish once the transaction commits.
func (s *Service) tell(ctx context.Context, tx store.Tx, a *probity.Assessment, at time.Time, events []event) (outbox, error) {
	out := outbox{assessmentID: a.ID, assessmentName: a.Name, at: at, events: events}
	if len(events) == 0 {
		return out, nil
	}
	acct, err := tx.Account(ctx, a.AccountID)
	switch {
	case err == nil:
		out.topic = acct.Settings.SNSTopic
	case probity.ErrorCode(err) != probity.ENOTFOUND: // an account never stored has no topic
		return out, err
	}
	for _, e := range events {
		seen := map[string]bool{}
		recipients := []string{e.delegate}
		for _, r := range a.Roles {
			if r.Type == probity.RoleProcessOwner {
				recipients = append(recipients, r.ARN)
			}
		}
		for _, to := range recipients {
			if seen[to] {
				continue
			}
			seen[to] = true
			n := &probity.Notification{ID: probity.NotificationID(at), AccountID: a.AccountID, AssessmentID: a.ID,
				AssessmentName: a.Name, ControlSetID: e.set.ID, ControlSetName: e.set.Name, Description: e.text, EventTime: at,
				Source: NotificationSource, Recipient: to}
			if err := tx.AddNotification(ctx, n); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// publish hands the events of a committed change to the Publisher, when the account has
// an SNS topic and the Service a Publisher.
func (s *Service) publish(o outbox) {
	if s.Publisher == nil || o.topic == "" {
		return
	}
	for _, e := range o.events {
		text := e.text + "\n\nassessmentId: " + o.assessmentID + "\nassessmentName: " + o.assessmentName +
			"\ncontrolSetId: " + e.set.ID + "\ncontrolSetName: " + e.set.Name + "\n"
		s.Publisher.Publish(o.topic, notify.Message{Source: NotificationSource, OK: true, Subject: "Probity: " + e.text,
			Text: text, Time: o.at})
	}
}
