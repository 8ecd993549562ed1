package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

const shareColumns = `id, framework_id, framework_name, framework_description, compliance_type,
	standard_controls, custom_controls, source_account, destination_account, destination_region,
	comment, status, created_at, expires_at, updated_at`

// CreateShareRequest implements store.ShareWriter.
func (w *writer) CreateShareRequest(ctx context.Context, r *probity.ShareRequest) error {
	_, err := w.q.ExecContext(ctx, w.db.rebind(`INSERT INTO share_requests (`+shareColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		r.ID, r.FrameworkID, r.FrameworkName, r.FrameworkDescription, r.ComplianceType,
		r.StandardControls, r.CustomControls, r.SourceAccount, r.DestinationAccount, r.DestinationRegion,
		r.Comment, r.Status, r.CreatedAt.UnixNano(), r.ExpiresAt.UnixNano(), r.UpdatedAt.UnixNano())
	if err := w.db.classify(err, "share request "+r.ID+" already exists", ""); err != nil {
		return fmt.Errorf("create share request: %w", err)
	}
	return nil
}

// ShareRequest implements store.ShareReader.
func (r reader) ShareRequest(ctx context.Context, id string) (*probity.ShareRequest, error) {
	s, err := scanShare(r.q.QueryRowContext(ctx, r.db.rebind(`SELECT `+shareColumns+` FROM share_requests WHERE id = ?`), id))
	if isNoRows(err) {
		return nil, probity.Errorf(probity.ENOTFOUND, "share request %s does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("get share request: %w", err)
	}
	return s, nil
}

// ShareRequests implements store.ShareReader.
func (r reader) ShareRequests(ctx context.Context, q store.ShareQuery) ([]probity.ShareRequest, error) {
	column := "destination_account"
	if q.Side == probity.ShareSent {
		column = "source_account"
	}
	where, args := ` WHERE `+column+` = ?`, []any{q.Account}
	if q.FrameworkID != "" {
		where, args = where+` AND framework_id = ?`, append(args, q.FrameworkID)
	}
	cond, after := afterCursor(q.After)
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT `+shareColumns+` FROM share_requests`+where+
		cond+` ORDER BY created_at, id LIMIT ?`), append(append(args, after...), q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list share requests: %w", err)
	}
	defer rows.Close()
	var out []probity.ShareRequest
	for rows.Next() {
		s, err := scanShare(rows)
		if err != nil {
			return nil, fmt.Errorf("list share requests: %w", err)
		}
		out = append(out, *s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list share requests: %w", err)
	}
	return out, nil
}

// SetShareStatus implements store.ShareWriter.
func (w *writer) SetShareStatus(ctx context.Context, id string, from, to probity.ShareStatus, at time.Time) error {
	res, err := w.q.ExecContext(ctx, w.db.rebind(`UPDATE share_requests SET status = ?, updated_at = ? WHERE id = ? AND status = ?`),
		string(to), at.UnixNano(), id, string(from))
	if err != nil {
		return fmt.Errorf("update share request: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update share request: %w", err)
	}
	if n == 1 {
		return nil
	}
	if _, err := w.ShareRequest(ctx, id); err != nil {
		return err
	}
	return probity.Errorf(probity.ECONFLICT, "share request %s is no longer %s", id, from)
}

// DeleteShareRequest implements store.ShareWriter.
func (w *writer) DeleteShareRequest(ctx context.Context, id string) error {
	res, err := w.q.ExecContext(ctx, w.db.rebind(`DELETE FROM share_requests WHERE id = ?`), id)
	if err != nil {
		return fmt.Errorf("delete share request: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete share request: %w", err)
	} else if n == 0 {
		return probity.Errorf(probity.ENOTFOUND, "share request %s does not exist", id)
	}
	return nil
}

func scanShare(s scanner) (*probity.ShareRequest, error) {
	var r probity.ShareRequest
	var created, expires, updated int64
	if err := s.Scan(&r.ID, &r.FrameworkID, &r.FrameworkName, &r.FrameworkDescription, &r.ComplianceType,
		&r.StandardControls, &r.CustomControls, &r.SourceAccount, &r.DestinationAccount, &r.DestinationRegion,
		&r.Comment, &r.Status, &created, &expires, &updated); err != nil {
		return nil, err
	}
	r.CreatedAt, r.ExpiresAt, r.UpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, expires).UTC(), time.Unix(0, updated).UTC()
	return &r, nil
}
