package library

import (
	"context"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
)

// Notifications returns up to limit of the caller's notifications older than the one
// with id before (from the newest when empty), newest first: those for everyone in its
// account and those for its identity ARN (a delegate's, a process owner's); an admin key
// sees every notification of its account. It returns EINVALID when before names none of
// the caller's notifications.
func (s *Service) Notifications(ctx context.Context, p auth.Principal, before string, limit int) ([]probity.Notification, error) {
	if p.Level == auth.Admin {
		return s.Store.Notifications(ctx, p.AccountID, before, limit)
	}
	return s.Store.NotificationsFor(ctx, p.AccountID, p.ARN, before, limit)
}
