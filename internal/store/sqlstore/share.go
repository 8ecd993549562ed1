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
	comment, status, created_at, expires_at, updated_at, deleted_by_source, deleted_by_destination`

// CreateShareRequest implements store.ShareWriter.
func (w *writer) CreateShareRequest(ctx context.Context, r *probity.ShareRequest) error {
	_, err := w.q.ExecContext(ctx, w.db.rebind(`INSERT INTO share_requests (`+shareColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		r.ID, r.FrameworkID, r.FrameworkName, r.FrameworkDescription, r.ComplianceType,
		r.StandardControls, r.CustomControls, r.SourceAccount, r.DestinationAccount, r.DestinationRegion,
		r.Comment, r.Status, r.CreatedAt.UnixNano(), r.ExpiresAt.UnixNano(), r.UpdatedAt.UnixNano(),
		flag(r.DeletedBySource), flag(r.DeletedByDestination))
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
	column, deleted := "destination_account", "deleted_by_destination"
	if q.Side == probity.ShareSent {
		column, deleted = "source_account", "deleted_by_source"
	}
	where, args := ` WHERE `+column+` = ? AND `+deleted+` = 0`, []any{q.Account}
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
func (w *writer) DeleteShareRequest(ctx context.Context, id string, side probity.ShareSide) error {
	deleted := "deleted_by_destination"
	if side == probity.ShareSent {
		deleted = "deleted_by_source"
	}
	res, err := w.q.ExecContext(ctx, w.db.rebind(`UPDATE share_requests SET `+deleted+` = 1 WHERE id = ? AND `+deleted+` = 0`), id)
	if err != nil {
		return fmt.Errorf("delete share request: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete share request: %w", err)
	} else if n == 0 {
		return probity.Errorf(probity.ENOTFOUND, "share request %s does not exist", id)
	}
	if _, err := w.q.ExecContext(ctx, w.db.rebind(`DELETE FROM share_requests WHERE id = ? AND deleted_by_source = 1 AND deleted_by_destination = 1`), id); err != nil {
		return fmt.Errorf("delete share request: %w", err)
	}
	return nil
}

// flag is a boolean as the share_requests table keeps it.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

func scanShare(s scanner) (*probity.ShareRequest, error) {
	var r probity.ShareRequest
	var created, expires, updated int64
	var bySource, byDestination int
	if err := s.Scan(&r.ID, &r.FrameworkID, &r.FrameworkName, &r.FrameworkDescription, &r.ComplianceType,
		&r.StandardControls, &r.CustomControls, &r.SourceAccount, &r.DestinationAccount, &r.DestinationRegion,
		&r.Comment, &r.Status, &created, &expires, &updated, &bySource, &byDestination); err != nil {
		return nil, err
	}
	r.DeletedBySource, r.DeletedByDestination = bySource == 1, byDestination == 1
	r.CreatedAt, r.ExpiresAt, r.UpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, expires).UTC(), time.Unix(0, updated).UTC()
	return &r, nil
}
