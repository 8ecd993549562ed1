// Package notify delivers the outcome of each catalog reconcile to the people who follow
// it: an SNS topic, email, a webhook.
//
// A target is named by a string whose scheme picks its Kind; the kinds live in the
// packages below this one (sns, smtp, webhook), listed in cmd/probity. A Registry
// turns targets into Notifiers; a Dispatcher delivers each Message to every Notifier in
// the background, retrying with backoff, so that a target that is down never holds up
// the pipeline.
package notify

import (
	"context"
	"time"

	"github.com/probity-dev/probity/internal/backoff"
)

// Message is the outcome of one reconcile of one catalog source.
type Message struct {
	// Source is the catalog source, as in catalog.Options.Source.
	Source string `json:"source"`
	// Revision is what the source was at (a git commit), when it has one.
	Revision string `json:"revision,omitempty"`
	// OK is false when any file failed.
	OK bool `json:"ok"`
	// Subject is a one-line summary.
	Subject string `json:"subject"`
	// Text is the whole message for people; a Slack-compatible webhook shows it.
	Text     string    `json:"text"`
	Changes  []Change  `json:"changes,omitempty"`
	Failures []Failure `json:"failures,omitempty"`
	Time     time.Time `json:"time"`
}

// Change is one control or framework the reconcile created, updated or deleted.
type Change struct {
	Action   string   `json:"action"` // create, update or delete
	Kind     string   `json:"kind"`   // Control or Framework
	Name     string   `json:"name"`
	Path     string   `json:"path,omitempty"` // the object key or file that defined it
	Revision string   `json:"revision,omitempty"`
	Members  []string `json:"members,omitempty"` // for updates: what changed
}

// Failure is one file that is not in effect as it now stands.
type Failure struct {
	Path string `json:"path"`
	// Problems are the file's diagnostics, each path:line:col: member: reason.
	Problems []string `json:"problems"`
	// KeptLastGood says the file's last good version stays in effect.
	KeptLastGood bool `json:"keptLastGood"`
}

// Notifier delivers messages to one target.
type Notifier interface {
	// Notify delivers m once. An error means it was not delivered; unless the error is
	// Permanent, trying again later may succeed.
	Notify(ctx context.Context, m Message) error
}

// Permanent marks err as one that retrying will not fix (a refused request, say).
func Permanent(err error) error { return backoff.Permanent(err) }

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool { return backoff.IsPermanent(err) }
