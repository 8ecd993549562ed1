package store

import (
	"context"
	"time"
)

// Session is a signed-in session of the web console, as stored: the hash of its token,
// never the token, so that a copy of the database cannot be used to sign in.
type Session struct {
	// ID is the hex SHA-256 of the session's token (the cookie's value).
	ID string
	// KeyID is the access key the session signed in with; every request resolves it
	// again, so a deleted key ends its sessions.
	KeyID string
	// CSRF is the token every form of the session carries.
	CSRF string
	// CreatedAt bounds the session's whole life; SeenAt, when it was last used, its idle
	// time.
	CreatedAt, SeenAt time.Time
}

// SessionReader reads console sessions.
type SessionReader interface {
	// Session returns the session with the id, or an ENOTFOUND error.
	Session(ctx context.Context, id string) (*Session, error)
}

// SessionWriter creates, refreshes and ends console sessions.
type SessionWriter interface {
	// CreateSession stores a new session. It returns an ECONFLICT error for a known id.
	CreateSession(ctx context.Context, s *Session) error
	// TouchSession sets the session's SeenAt to at, or returns an ENOTFOUND error.
	TouchSession(ctx context.Context, id string, at time.Time) error
	// DeleteSession deletes the session; a missing one is not an error.
	DeleteSession(ctx context.Context, id string) error
	// DeleteSessionsBefore deletes the sessions created before created or last seen
	// before seen, and returns how many it deleted.
	DeleteSessionsBefore(ctx context.Context, created, seen time.Time) (int, error)
}
