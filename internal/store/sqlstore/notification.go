package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
)

// AddNotification implements store.NotificationWriter.
func (w *writer) AddNotification(ctx context.Context, n *probity.Notification) error {
	_, err := w.q.ExecContext(ctx, w.db.rebind(`INSERT INTO notifications
		(id, assessment_id, assessment_name, control_set_id, control_set_name, description, event_time, source, account_id, recipient)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		n.ID, n.AssessmentID, n.AssessmentName, n.ControlSetID, n.ControlSetName, n.Description, n.EventTime.UnixNano(), n.Source,
		n.AccountID, n.Recipient)
	if err != nil {
		return fmt.Errorf("add notification: %w", err)
	}
	return nil
}

// Notifications implements store.NotificationReader.
func (r reader) Notifications(ctx context.Context, account, before string, limit int) ([]probity.Notification, error) {
	return r.notifications(ctx, account, nil, before, limit)
}

// NotificationsFor implements store.NotificationReader.
func (r reader) NotificationsFor(ctx context.Context, account, arn, before string, limit int) ([]probity.Notification, error) {
	return r.notifications(ctx, account, &arn, before, limit)
}

// notifications lists the account's notifications; only those for everyone and for the
// recipient when it is not nil.
func (r reader) notifications(ctx context.Context, account string, recipient *string, before string, limit int) ([]probity.Notification, error) {
	cond, args := "", []any{account}
	if recipient != nil {
		cond, args = ` AND recipient IN ('', ?)`, append(args, *recipient)
	}
	if before != "" {
		var t int64
		err := r.q.QueryRowContext(ctx, r.db.rebind(`SELECT event_time FROM notifications WHERE id = ? AND account_id = ?`), before, account).Scan(&t)
		if isNoRows(err) {
			return nil, probity.Errorf(probity.EINVALID, "the pagination token is not valid")
		} else if err != nil {
			return nil, fmt.Errorf("list notifications: %w", err)
		}
		cond, args = cond+` AND (event_time < ? OR (event_time = ? AND id < ?))`, append(args, t, t, before)
	}
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT id, assessment_id, assessment_name, control_set_id,
		control_set_name, description, event_time, source, account_id, recipient FROM notifications WHERE account_id = ?`+cond+
		` ORDER BY event_time DESC, id DESC LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	defer rows.Close()
	var out []probity.Notification
	for rows.Next() {
		var n probity.Notification
		var t int64
		if err := rows.Scan(&n.ID, &n.AssessmentID, &n.AssessmentName, &n.ControlSetID, &n.ControlSetName, &n.Description, &t, &n.Source, &n.AccountID, &n.Recipient); err != nil {
			return nil, fmt.Errorf("list notifications: %w", err)
		}
		n.EventTime = time.Unix(0, t).UTC()
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	return out, nil
}
