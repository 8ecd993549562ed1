package store

import (
	"context"

	"github.com/probity-dev/probity"
)

// NotificationReader reads notifications, newest first.
type NotificationReader interface {
	// Notifications returns up to limit notifications older than the one with id before
	// (all when before is empty), newest first. It returns an EINVALID error when before
	// names no notification.
	Notifications(ctx context.Context, before string, limit int) ([]probity.Notification, error)
}

// NotificationWriter adds notifications.
type NotificationWriter interface {
	// AddNotification stores n; n.ID must be set and unique.
	AddNotification(ctx context.Context, n *probity.Notification) error
}
