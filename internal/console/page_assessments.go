package console

import "net/http"

// assessments is the Assessments page. Not built yet: it says so, until its page replaces this
// file (see the package comment for how to add a page).
func (c *Console) assessments(w http.ResponseWriter, r *http.Request) error {
	return c.render(w, r, "notbuilt", notBuilt{Title: "Assessments"})
}
