package probity

import "time"

// ShareStatus is where a framework share request stands.
type ShareStatus string

// Share request statuses. A request is stored ACTIVE, SHARED, DECLINED or REVOKED;
// EXPIRING and EXPIRED are how an unanswered request shows as its end nears and passes.
const (
	ShareActive   ShareStatus = "ACTIVE"
	ShareShared   ShareStatus = "SHARED"
	ShareExpiring ShareStatus = "EXPIRING"
	ShareExpired  ShareStatus = "EXPIRED"
	ShareDeclined ShareStatus = "DECLINED"
	ShareRevoked  ShareStatus = "REVOKED"
)

// The service's timings: a recipient has ShareLifetime to answer, and a request shows as
// EXPIRING in its last ShareExpiringWithin.
const (
	ShareLifetime       = 120 * 24 * time.Hour
	ShareExpiringWithin = 30 * 24 * time.Hour
)

// ShareSide says from which end an account sees a share request.
type ShareSide string

// The two sides.
const (
	ShareSent     ShareSide = "SENT"
	ShareReceived ShareSide = "RECEIVED"
)

// ShareAction is an answer to a share request.
type ShareAction string

// The answers: the recipient accepts or declines, the sender revokes.
const (
	ShareAccept  ShareAction = "ACCEPT"
	ShareDecline ShareAction = "DECLINE"
	ShareRevoke  ShareAction = "REVOKE"
)

// ShareRequest is an offer of a custom framework from one account to another. The
// framework members are a snapshot taken when the request was made.
type ShareRequest struct {
	ID                   string
	FrameworkID          string
	FrameworkName        string
	FrameworkDescription string
	ComplianceType       string
	StandardControls     int
	CustomControls       int
	SourceAccount        string
	DestinationAccount   string
	DestinationRegion    string
	Comment              string
	Status               ShareStatus
	CreatedAt            time.Time
	ExpiresAt            time.Time
	UpdatedAt            time.Time
	// DeletedBySource and DeletedByDestination say which sides have deleted the request
	// for themselves; a side that has no longer sees it.
	DeletedBySource, DeletedByDestination bool
}

// Visible reports whether the side still sees the request.
func (r *ShareRequest) Visible(side ShareSide) bool {
	if side == ShareSent {
		return !r.DeletedBySource
	}
	return !r.DeletedByDestination
}

// StatusAt returns the status the request shows at now: an unanswered request is
// EXPIRING in its last 30 days and EXPIRED after them.
func (r *ShareRequest) StatusAt(now time.Time) ShareStatus {
	if r.Status != ShareActive {
		return r.Status
	}
	switch {
	case !now.Before(r.ExpiresAt):
		return ShareExpired
	case r.ExpiresAt.Sub(now) <= ShareExpiringWithin:
		return ShareExpiring
	}
	return ShareActive
}

// Account returns the account on the side given: the sender or the recipient.
func (r *ShareRequest) Account(side ShareSide) string {
	if side == ShareSent {
		return r.SourceAccount
	}
	return r.DestinationAccount
}

// Answer returns the status the action moves the request to, seen from side, at now. It
// returns an EINVALID error when the side cannot take the action (only the recipient
// accepts or declines, only the sender revokes) or the request is no longer open.
func (r *ShareRequest) Answer(side ShareSide, action ShareAction, now time.Time) (ShareStatus, error) {
	var to ShareStatus
	switch {
	case side == ShareReceived && action == ShareAccept:
		to = ShareShared
	case side == ShareReceived && action == ShareDecline:
		to = ShareDeclined
	case side == ShareSent && action == ShareRevoke:
		to = ShareRevoked
	default:
		return "", &Error{Code: EINVALID, Message: "invalid share answer", Fields: []FieldError{{Name: "action",
			Message: "must be ACCEPT or DECLINE for a RECEIVED request and REVOKE for a SENT one"}}}
	}
	if st := r.StatusAt(now); st != ShareActive && st != ShareExpiring {
		return "", Errorf(EINVALID, "The share request %s is %s; only an active request can be answered or revoked.", r.ID, st)
	}
	return to, nil
}
