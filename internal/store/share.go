package store

import (
	"context"
	"time"
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
	Status               string
	CreatedAt            time.Time
	ExpiresAt            time.Time
	UpdatedAt            time.Time
}

// ShareQuery asks for the requests an account sent (Sent) or received, after a cursor.
type ShareQuery struct {
	Account string
	Sent    bool
	After   Cursor
	Limit   int
}

// ShareReader reads framework share requests.
type ShareReader interface {
	// ShareRequest returns the request with the id, or an ENOTFOUND error.
	ShareRequest(ctx context.Context, id string) (*ShareRequest, error)
	// ShareRequests returns up to q.Limit requests, oldest first.
	ShareRequests(ctx context.Context, q ShareQuery) ([]ShareRequest, error)
}

// ShareWriter changes framework share requests.
type ShareWriter interface {
	// CreateShareRequest stores a new request; ECONFLICT when the id exists.
	CreateShareRequest(ctx context.Context, r *ShareRequest) error
	// SetShareStatus moves the request from status from to status to, at the time given.
	// It returns ENOTFOUND when the request does not exist and ECONFLICT when its status
	// is no longer from, so that two concurrent answers cannot both win.
	SetShareStatus(ctx context.Context, id, from, to string, at time.Time) error
	// DeleteShareRequest deletes the request, or returns an ENOTFOUND error.
	DeleteShareRequest(ctx context.Context, id string) error
}
