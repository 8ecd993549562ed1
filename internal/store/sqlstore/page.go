package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

var (
	_ store.Lister = (*DB)(nil)
	_ store.Lister = (*writer)(nil)
)

// holder returns the account_id of the rows of a type that an account sees: its own for
// custom content, none for the kinds every account shares. Listing one account_id lets
// the (account_id, type, created_at, id) index serve the order. Control and framework
// types share their names, so the control type's rule serves both.
func holder(account, typ string) string {
	if probity.ControlType(typ).Shared() {
		return ""
	}
	return account
}

// afterCursor returns the condition and arguments that keep rows past c in
// (created_at, id) order.
func afterCursor(c store.Cursor) (string, []any) {
	if c.IsZero() {
		return "", nil
	}
	n := c.CreatedAt.UnixNano()
	return ` AND (created_at > ? OR (created_at = ? AND id > ?))`, []any{n, n, c.ID}
}

// ControlSummaries implements store.Lister.
func (r reader) ControlSummaries(ctx context.Context, p store.Page) ([]store.ControlSummary, error) {
	cond, args := afterCursor(p.After)
	q := `SELECT id, arn, name, control_sources, created_at, last_updated_at FROM controls
		WHERE type = ? AND account_id = ?` + cond + ` ORDER BY created_at, id LIMIT ?`
	rows, err := r.q.QueryContext(ctx, r.db.rebind(q), append(append([]any{p.Type, holder(p.Account, p.Type)}, args...), p.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list controls: %w", err)
	}
	defer rows.Close()
	out := make([]store.ControlSummary, 0, min(p.Limit, 128))
	for rows.Next() {
		var s store.ControlSummary
		var created, updated int64
		if err := rows.Scan(&s.ID, &s.ARN, &s.Name, &s.ControlSources, &created, &updated); err != nil {
			return nil, fmt.Errorf("list controls: %w", err)
		}
		s.CreatedAt, s.LastUpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list controls: %w", err)
	}
	return out, nil
}

// FrameworkSummaries implements store.Lister.
func (r reader) FrameworkSummaries(ctx context.Context, p store.Page) ([]store.FrameworkSummary, error) {
	cond, args := afterCursor(p.After)
	q := `SELECT id, arn, type, name, description, logo, compliance_type, created_at, last_updated_at,
		(SELECT count(*) FROM framework_control_sets s WHERE s.framework_id = f.id),
		(SELECT count(*) FROM framework_controls c WHERE c.framework_id = f.id)
		FROM frameworks f WHERE type = ? AND account_id = ?` + cond + ` ORDER BY created_at, id LIMIT ?`
	rows, err := r.q.QueryContext(ctx, r.db.rebind(q), append(append([]any{p.Type, holder(p.Account, p.Type)}, args...), p.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list frameworks: %w", err)
	}
	defer rows.Close()
	var out []store.FrameworkSummary
	for rows.Next() {
		var s store.FrameworkSummary
		var created, updated int64
		if err := rows.Scan(&s.ID, &s.ARN, &s.Type, &s.Name, &s.Description, &s.Logo, &s.ComplianceType,
			&created, &updated, &s.ControlSets, &s.Controls); err != nil {
			return nil, fmt.Errorf("list frameworks: %w", err)
		}
		s.CreatedAt, s.LastUpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list frameworks: %w", err)
	}
	return out, nil
}

// CountControls implements store.Lister.
func (r reader) CountControls(ctx context.Context, account string, typ probity.ControlType) (int, error) {
	return r.count(ctx, "controls", account, string(typ))
}

// CountFrameworks implements store.Lister.
func (r reader) CountFrameworks(ctx context.Context, account string, typ probity.FrameworkType) (int, error) {
	return r.count(ctx, "frameworks", account, string(typ))
}

func (r reader) count(ctx context.Context, table, account, typ string) (int, error) {
	var n int
	if err := r.q.QueryRowContext(ctx, r.db.rebind(`SELECT count(*) FROM `+table+` WHERE type = ? AND account_id = ?`), typ, holder(account, typ)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}
