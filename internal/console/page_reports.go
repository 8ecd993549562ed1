package console

import "net/http"

// reports is the Reports page. Not built yet: it says so, until its page replaces this
// file (see the package comment for how to add a page).
func (c *Console) reports(w http.ResponseWriter, r *http.Request) error {
	return c.render(w, r, "notbuilt", notBuilt{Title: "Reports"})
}
