package console

import "net/http"

// notifications is the Notifications page. Not built yet: it says so, until its page replaces this
// file (see the package comment for how to add a page).
func (c *Console) notifications(w http.ResponseWriter, r *http.Request) error {
	return c.render(w, r, "notbuilt", notBuilt{Title: "Notifications"})
}
