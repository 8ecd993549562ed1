package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// Session implements store.Reader.
func (db *DB) Session(ctx context.Context, id string) (*store.Session, error) {
	return gated(db, ctx, func() (*store.Session, error) { return db.read.Session(ctx, id) })
}

// Session implements store.SessionReader.
func (r reader) Session(ctx context.Context, id string) (*store.Session, error) {
	var s store.Session
	var created, seen int64
	err := r.q.QueryRowContext(ctx, r.db.rebind(`SELECT id, key_id, csrf, created_at, seen_at FROM console_sessions WHERE id = ?`), id).
		Scan(&s.ID, &s.KeyID, &s.CSRF, &created, &seen)
	if isNoRows(err) {
		return nil, probity.Errorf(probity.ENOTFOUND, "no such session")
	} else if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	s.CreatedAt, s.SeenAt = time.Unix(0, created).UTC(), time.Unix(0, seen).UTC()
	return &s, nil
}

// CreateSession implements store.SessionWriter.
func (w *writer) CreateSession(ctx context.Context, s *store.Session) error {
	_, err := w.q.ExecContext(ctx, w.db.rebind(`INSERT INTO console_sessions (id, key_id, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?)`),
		s.ID, s.KeyID, s.CSRF, s.CreatedAt.UnixNano(), s.SeenAt.UnixNano())
	if err := w.db.classify(err, "the session exists", ""); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// TouchSession implements store.SessionWriter.
func (w *writer) TouchSession(ctx context.Context, id string, at time.Time) error {
	res, err := w.q.ExecContext(ctx, w.db.rebind(`UPDATE console_sessions SET seen_at = ? WHERE id = ?`), at.UnixNano(), id)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("touch session: %w", err)
	} else if n == 0 {
		return probity.Errorf(probity.ENOTFOUND, "no such session")
	}
	return nil
}

// DeleteSession implements store.SessionWriter.
func (w *writer) DeleteSession(ctx context.Context, id string) error {
	if _, err := w.q.ExecContext(ctx, w.db.rebind(`DELETE FROM console_sessions WHERE id = ?`), id); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteSessionsBefore implements store.SessionWriter.
func (w *writer) DeleteSessionsBefore(ctx context.Context, created, seen time.Time) (int, error) {
	res, err := w.q.ExecContext(ctx, w.db.rebind(`DELETE FROM console_sessions WHERE created_at < ? OR seen_at < ?`),
		created.UnixNano(), seen.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return int(n), nil
}
