package console

import (
	"net/http"

	"github.com/probity-dev/probity"
)

// notificationsPageSize is how many notifications one page lists.
const notificationsPageSize = 50

// notificationsData is the notifications page's data.
type notificationsData struct {
	Notifications []probity.Notification
	Pager         pager
}

// notifications lists the caller's notifications, newest first, as ListNotifications
// does (library.Service.Notifications: the account's, those for the caller's identity,
// and all of the account's for an admin key), paged by the last one shown.
func (c *Console) notifications(w http.ResponseWriter, r *http.Request) error {
	ns, err := c.cfg.Library.Notifications(r.Context(), principal(r), r.URL.Query().Get(afterParam), notificationsPageSize+1)
	if probity.ErrorCode(err) == probity.EINVALID {
		return errBadPage
	} else if err != nil {
		return err
	}
	var next string
	if len(ns) > notificationsPageSize {
		ns = ns[:notificationsPageSize]
		next = ns[len(ns)-1].ID
	}
	return c.render(w, r, "notifications", notificationsData{Notifications: ns, Pager: pageLinks(r, next)})
}
