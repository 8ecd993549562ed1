package store

import (
	"context"
	"time"

	"github.com/probity-dev/probity"
)

// ShareQuery asks for the requests an account sent or received, after a cursor, of one
// framework when FrameworkID is set.
type ShareQuery struct {
	Account     string
	Side        probity.ShareSide
	FrameworkID string
	After       Cursor
	Limit       int
}

// ShareReader reads framework share requests.
type ShareReader interface {
	// ShareRequest returns the request with the id, or an ENOTFOUND error. Its
	// DeletedBy members say which sides have deleted it.
	ShareRequest(ctx context.Context, id string) (*probity.ShareRequest, error)
	// ShareRequests returns up to q.Limit requests, oldest first, leaving out those the
	// side has deleted.
	ShareRequests(ctx context.Context, q ShareQuery) ([]probity.ShareRequest, error)
}

// ShareWriter changes framework share requests.
type ShareWriter interface {
	// CreateShareRequest stores a new request; ECONFLICT when the id exists.
	CreateShareRequest(ctx context.Context, r *probity.ShareRequest) error
	// SetShareStatus moves the request from status from to status to, at the time given.
	// It returns ENOTFOUND when the request does not exist and ECONFLICT when its status
	// is no longer from, so that two concurrent answers cannot both win.
	SetShareStatus(ctx context.Context, id string, from, to probity.ShareStatus, at time.Time) error
	// DeleteShareRequest deletes the request for one side: that side's reads no longer
	// see it, the other side's still do, and the request is gone once both sides have
	// deleted it. It returns ENOTFOUND when the side does not see the request.
	DeleteShareRequest(ctx context.Context, id string, side probity.ShareSide) error
}
