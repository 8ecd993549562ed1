// Package assess is the application layer over assessments: creating them from a
// framework's snapshot, their settings and status, the review of their controls and
// control sets, change logs, and who may do each of these. The Audit Manager API and the
// CLI call it; neither decides these things itself.
//
// Every method acts for a caller, an auth.Principal, and sees only the caller's account:
// another account's assessments answer ENOTFOUND, as if they did not exist. The access
// level (viewer, editor, admin) is checked before a method is called; the methods check
// the assessment's roles on top of it (see probity.Assessment.Authorize): changes need
// the assessment's PROCESS_OWNER or an admin key, and a delegate may review and submit
// the control sets delegated to it. Every change records a probity.ChangeLog.
package assess

import (
	"context"
	"log/slog"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/store"
)

// Service is the application layer of assessments. Store is required; its other fields
// have defaults. Its fields must not change once it is in use; its methods are safe for
// concurrent use.
type Service struct {
	Store store.Store
	// Region is the region of the ARNs it makes; empty means probity.DefaultPartition's.
	Region string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Publisher delivers delegation events to the SNS topic of the account's settings;
	// nil means they are only stored as notifications.
	Publisher Publisher
	// Ledger receives manual evidence and is told of every status change (a signed
	// checkpoint); nil means no evidence can be imported and status changes sign nothing.
	Ledger Ledger
	// Blobs keeps the bytes of manual evidence and uploads (the ledger's blob store);
	// required to import evidence.
	Blobs evidence.Blobs
	// Objects reads the S3 objects that manual evidence names (s3ResourcePath); nil means
	// such evidence is refused.
	Objects ObjectReader
	// Log receives what fails after a change has committed (a checkpoint at a status
	// change); nil discards it.
	Log *slog.Logger
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) partition(account string) probity.Partition {
	region := s.Region
	if region == "" {
		region = probity.DefaultPartition.Region
	}
	return probity.Partition{Region: region, AccountID: account}
}

// actor is the caller as the assessment's roles see it.
func actor(p auth.Principal) probity.Actor {
	return probity.Actor{ARN: p.ARN, Admin: p.Level == auth.Admin}
}

// DelegatedControlSets returns the ids of the control sets of a that are delegated to the
// caller (by open delegations to its identity ARN): the control sets whose controls it
// may review and which it may submit for review.
func DelegatedControlSets(a *probity.Assessment, p auth.Principal) map[string]bool {
	return a.DelegatedSets(p.ARN)
}

// UserRole returns the caller's role in the assessment: PROCESS_OWNER when a role names
// its ARN, else the role of a role or delegation (open or complete) that names it, and
// nil otherwise.
func UserRole(a *probity.Assessment, p auth.Principal) *probity.Role {
	if a.ProcessOwner(p.ARN) {
		return &probity.Role{Type: probity.RoleProcessOwner, ARN: p.ARN}
	}
	for _, r := range a.Roles {
		if r.ARN == p.ARN && p.ARN != "" {
			return &probity.Role{Type: r.Type, ARN: p.ARN}
		}
	}
	for _, d := range a.Delegations {
		if d.RoleARN == p.ARN && p.ARN != "" {
			return &probity.Role{Type: d.RoleType, ARN: p.ARN}
		}
	}
	return nil
}

func asNotFound(err error, id string) error {
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return probity.NotFound("assessment", id)
	}
	return err
}

// changes collects the change log entries of one change, stamped alike.
type changes struct {
	a    *probity.Assessment
	p    auth.Principal
	at   time.Time
	logs []probity.ChangeLog
}

func (c *changes) add(obj probity.ChangeObject, name string, action probity.ChangeAction, setID, controlID string) {
	if name == "" {
		name = "-" // the model's objectName is a NonEmptyString
	}
	// Entries of one change share its time; the store keeps the order they are added in.
	c.logs = append(c.logs, probity.ChangeLog{ID: probity.NewID(), AccountID: c.a.AccountID, AssessmentID: c.a.ID,
		ControlSetID: setID, ControlID: controlID, ObjectType: obj, ObjectName: name, Action: action,
		CreatedAt: c.at, CreatedBy: c.p.ARN})
}

func (c *changes) save(ctx context.Context, tx store.Tx) error {
	if len(c.logs) == 0 {
		return nil
	}
	return tx.AddChangeLogs(ctx, c.logs)
}

// change runs fn on the caller's assessment in one transaction under the assessments'
// lock, after checking that the caller may make the change (act, on controlSetID to
// status to), then stores the assessment and the change logs fn recorded. It returns
// ENOTFOUND for an assessment the caller does not see and EUNAUTHORIZED for a change it
// may not make, or fn's error.
func (s *Service) change(ctx context.Context, p auth.Principal, id string, act probity.AssessmentAction, controlSetID string,
	to probity.ControlSetStatus, fn func(tx store.Tx, a *probity.Assessment, c *changes) error) (*probity.Assessment, error) {
	var a *probity.Assessment
	err := s.Store.Update(ctx, store.LockAssessments, func(tx store.Tx) error {
		var err error
		if a, err = tx.Assessment(ctx, p.AccountID, id); err != nil {
			return asNotFound(err, id)
		}
		if err := a.Authorize(actor(p), act, controlSetID, to); err != nil {
			return err
		}
		c := &changes{a: a, p: p, at: s.now()}
		if err := fn(tx, a, c); err != nil {
			return err
		}
		if err := tx.PutAssessment(ctx, a); err != nil {
			return err
		}
		return c.save(ctx, tx)
	})
	if err != nil {
		return a, err
	}
	return a, s.countEvidence(ctx, a)
}
