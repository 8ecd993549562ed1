package store

import (
	"context"

	"github.com/probity-dev/probity"
)

// NotificationReader reads notifications, newest first.
type NotificationReader interface {
	// Notifications returns up to limit of the account's notifications older than the one
	// with id before (all when before is empty), newest first. It returns an EINVALID
	// error when before names none of the account's notifications.
	Notifications(ctx context.Context, account, before string, limit int) ([]probity.Notification, error)
	// NotificationsFor is Notifications of only those for everyone in the account and
	// those whose Recipient is the identity arn.
	NotificationsFor(ctx context.Context, account, arn, before string, limit int) ([]probity.Notification, error)
}

// NotificationWriter adds notifications.
type NotificationWriter interface {
	// AddNotification stores n; n.ID must be set and unique.
	AddNotification(ctx context.Context, n *probity.Notification) error
}
