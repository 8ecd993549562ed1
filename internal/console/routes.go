package console

import (
	"io/fs"
	"net/http"

	"github.com/probity-dev/probity/internal/auth"
)

// routes is the one list of the console's pages: method and path, the access level each
// needs (public ones need no session), and the handler. Paths are below Prefix.
func (c *Console) routes() {
	static, _ := fs.Sub(assets, "static")
	c.mux.Handle("GET /ui/static/", http.StripPrefix("/ui/static/", staticHandler(static)))
	c.public("GET /ui/signin", c.signInPage)
	c.public("POST /ui/signin", c.signIn)
	c.handle("POST /ui/signout", auth.Viewer, c.signOut)

	c.handle("GET /ui/{$}", auth.Viewer, c.dashboard)
	c.handle("GET /ui/controls", auth.Viewer, c.controls)
	c.handle("GET /ui/controls/{id}", auth.Viewer, c.control)
	c.handle("GET /ui/controls/{id}/edit", auth.Editor, c.controlEditForm)
	c.handle("POST /ui/controls/{id}/edit", auth.Editor, c.controlEdit)
	c.handle("POST /ui/controls/{id}/copy", auth.Editor, c.controlCopy)
	c.handle("GET /ui/frameworks", auth.Viewer, c.frameworks)
	c.handle("GET /ui/frameworks/new", auth.Editor, c.frameworkNewForm)
	c.handle("POST /ui/frameworks/new", auth.Editor, c.frameworkNew)
	c.handle("GET /ui/frameworks/{id}", auth.Viewer, c.framework)
	c.handle("GET /ui/assessments", auth.Viewer, c.assessments)
	c.handle("GET /ui/evidence", auth.Viewer, c.evidence)
	c.handle("GET /ui/reports", auth.Viewer, c.reports)
	c.handle("GET /ui/notifications", auth.Viewer, c.notifications)
	c.handle("GET /ui/sources", auth.Viewer, c.sources)
	c.handle("GET /ui/settings", auth.Viewer, c.settings)
	c.mux.Handle("/ui/", c.page(auth.Viewer, func(http.ResponseWriter, *http.Request) error { return errNoPage }))
}
