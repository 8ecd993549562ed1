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

	c.handle("GET /ui/controls", auth.Viewer, c.controls)
	c.handle("GET /ui/controls/new", auth.Editor, c.controlNewForm)
	c.handle("POST /ui/controls/new", auth.Editor, c.controlNew)
	c.handle("GET /ui/controls/{id}", auth.Viewer, c.control)
	c.handle("GET /ui/controls/{id}/edit", auth.Editor, c.controlEditForm)
	c.handle("POST /ui/controls/{id}/edit", auth.Editor, c.controlEdit)
	c.handle("POST /ui/controls/{id}/copy", auth.Editor, c.controlCopy)
	c.handle("GET /ui/frameworks", auth.Viewer, c.frameworks)
	c.handle("GET /ui/frameworks/new", auth.Editor, c.frameworkNewForm)
	c.handle("POST /ui/frameworks/new", auth.Editor, c.frameworkNew)
	c.handle("GET /ui/frameworks/{id}", auth.Viewer, c.framework)
	c.handle("GET /ui/frameworks/{id}/edit", auth.Editor, c.frameworkEditForm)
	c.handle("POST /ui/frameworks/{id}/edit", auth.Editor, c.frameworkEdit)
	// Assessments (CONSOLE-ASSESS): list and create wizard, the assessment and its review
	// actions, a control with its evidence folders and manual evidence, evidence items,
	// and notifications.
	c.handle("GET /ui/assessments", auth.Viewer, c.assessments)
	c.handle("GET /ui/assessments/new", auth.Editor, c.assessmentNewForm)
	c.handle("POST /ui/assessments/new", auth.Editor, c.assessmentNew)
	c.handle("GET /ui/assessments/{id}", auth.Viewer, c.assessment)
	c.handle("POST /ui/assessments/{id}/status", auth.Editor, c.assessmentStatus)
	c.handle("POST /ui/assessments/{id}/delegations", auth.Editor, c.delegationCreate)
	c.handle("POST /ui/assessments/{id}/delegations/delete", auth.Editor, c.delegationDelete)
	c.handle("POST /ui/assessments/{id}/sets/{set}/status", auth.Editor, c.controlSetStatus)
	c.handle("GET /ui/assessments/{id}/sets/{set}/controls/{ctl}", auth.Viewer, c.assessmentControl)
	c.handle("POST /ui/assessments/{id}/sets/{set}/controls/{ctl}/review", auth.Editor, c.controlReview)
	c.handle("POST /ui/assessments/{id}/sets/{set}/controls/{ctl}/evidence/text", auth.Editor, c.evidenceText)
	c.handle("POST /ui/assessments/{id}/sets/{set}/controls/{ctl}/evidence/file", auth.Editor, c.evidenceFile)
	c.handle("POST /ui/assessments/{id}/sets/{set}/controls/{ctl}/evidence/upload", auth.Editor, c.evidenceUpload)
	c.handle("POST /ui/assessments/{id}/sets/{set}/controls/{ctl}/evidence/import", auth.Editor, c.evidenceImport)
	c.handle("GET /ui/assessments/{id}/sets/{set}/folders/{folder}", auth.Viewer, c.evidenceFolder)
	c.handle("GET /ui/assessments/{id}/sets/{set}/folders/{folder}/evidence/{ev}", auth.Viewer, c.evidenceItem)
	c.handle("GET /ui/assessments/{id}/sets/{set}/folders/{folder}/evidence/{ev}/file", auth.Viewer, c.evidenceDownload)
	c.handle("GET /ui/notifications", auth.Viewer, c.notifications)

	// Dashboard, evidence finder, reports, catalog sources and settings.
	c.handle("GET /ui/{$}", auth.Viewer, c.dashboard)
	c.handle("GET /ui/evidence", auth.Viewer, c.evidence)
	c.handle("GET /ui/evidence.csv", auth.Viewer, c.evidenceCSV)
	c.handle("POST /ui/evidence/select", auth.Editor, c.evidenceSelect)
	c.handle("GET /ui/reports", auth.Viewer, c.reports)
	c.handle("POST /ui/reports", auth.Editor, c.reportCreate)
	c.handle("GET /ui/reports/{assessment}/{id}", auth.Viewer, c.report)
	c.handle("GET /ui/reports/{assessment}/{id}/status", auth.Viewer, c.reportStatus)
	c.handle("GET /ui/reports/{assessment}/{id}/download", auth.Viewer, c.reportDownload)
	c.handle("GET /ui/sources", auth.Viewer, c.sources)
	c.handle("GET /ui/settings", auth.Viewer, c.settings)
	c.handle("POST /ui/settings", auth.Admin, c.settingsSave)
	c.handle("POST /ui/settings/keys", auth.Admin, c.keyCreate)
	c.handle("POST /ui/settings/keys/delete", auth.Admin, c.keyDelete)

	c.mux.Handle("/ui/", c.page(auth.Viewer, func(http.ResponseWriter, *http.Request) error { return errNoPage }))
}
