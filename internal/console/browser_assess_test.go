package console_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/console"
	"github.com/probity-dev/probity/internal/console/browsertest"
	"github.com/probity-dev/probity/internal/console/consoletest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
)

// TestBrowserAssessment drives the assessment pages in headless Chromium as two people:
// the owner (an editor key) creates an assessment with the wizard, delegates its control
// set, and uploads a manual evidence file through the file input (the script's upload to
// the upload URL route with its progress bar, then the import); the delegate signs in,
// reviews and comments the control and opens the evidence; the owner signs in again and
// sees the review, and comments too. Screenshots of the list, wizard, assessment,
// control, evidence item and notifications pages.
func TestBrowserAssessment(t *testing.T) {
	e := consoletest.New(t, backendtest.Open(t, "sqlite"), console.Config{}).WithEvidence(t, console.Config{})
	owner := e.Keys[auth.Editor]
	delegate := e.AddKey(t, "delegate-key", auth.Editor, "", "")
	b := browsertest.Start(t, e.Server.URL)
	b.SignIn(owner.ID, owner.Secret)

	b.Go("/ui/assessments/new")
	b.Shot("assessment-wizard")
	b.Run(chromedp.SetValue(chromedp.ID("framework"), e.Framework.ID),
		chromedp.SendKeys(chromedp.ID("name"), "Browser assessment"),
		chromedp.SendKeys(chromedp.ID("services"), "s3, iam"),
		chromedp.SendKeys(chromedp.ID("destination"), "s3://reports-bucket/browser"))
	if status := b.Follow(`form.wizard button[type="submit"]`); status != 200 {
		t.Fatalf("create: the page after it answers %d:\n%s", status, b.Text())
	}
	if text := b.Text(); !strings.Contains(text, "Created.") || !strings.Contains(text, "Browser assessment") || !strings.Contains(text, "Set one") {
		t.Fatalf("the new assessment's page shows:\n%s", text)
	}
	as, err := e.Assess.List(t.Context(), owner.Principal, "", store.Cursor{}, 10)
	if err != nil || len(as) != 1 {
		t.Fatalf("assessments: %d %v", len(as), err)
	}
	a := as[0]
	set := a.ControlSets[0].ID
	ctlPage := "/ui/assessments/" + a.ID + "/sets/" + set + "/controls/" + e.Custom.ID

	b.Run(chromedp.SendKeys(chromedp.ID("roleArn"), delegate.Principal.ARN), chromedp.SendKeys(chromedp.ID("comment"), "Please review the logging control"))
	b.Follow(`form[action$="/delegations"] button[type="submit"]`)
	if text := b.Text(); !strings.Contains(text, delegate.Principal.ARN) || !strings.Contains(text, "IN_PROGRESS") {
		t.Fatalf("after delegating the page shows:\n%s", text)
	}
	b.Shot("assessment")
	b.Go("/ui/assessments")
	b.Shot("assessments")

	// Upload through the file input: the script PUTs it to the upload URL and imports it.
	file := filepath.Join(t.TempDir(), "access-review.csv")
	if err := os.WriteFile(file, []byte("user,mfa\nalice,true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.Go(ctlPage)
	b.Run(chromedp.SetUploadFiles(`#file`, []string{file}))
	if status := b.Follow(`form.upload button[type="submit"]`); status != 200 {
		t.Fatalf("upload: the page after it answers %d", status)
	}
	b.Run(chromedp.WaitVisible(`#evidence table`))
	if text := b.Text(); !strings.Contains(text, "Created.") || !strings.Contains(text, "Manual") {
		t.Fatalf("after the upload the control page shows:\n%s", text)
	}
	if !strings.HasSuffix(strings.SplitN(b.URL(), "?", 2)[0], ctlPage) {
		t.Errorf("after the upload the browser is at %s", b.URL())
	}
	b.Shot("assessment-control")
	b.SignOut()

	// The delegate reviews and comments, and opens the evidence.
	b.SignIn(delegate.ID, delegate.Secret)
	b.Go("/ui/notifications")
	if text := b.Text(); !strings.Contains(text, "Browser assessment") {
		t.Errorf("the delegate's notifications show:\n%s", text)
	}
	b.Shot("notifications")
	b.Go(ctlPage)
	b.Run(chromedp.SetValue(chromedp.ID("status"), "REVIEWED"), chromedp.SendKeys(chromedp.ID("comment"), "The MFA list is complete."))
	b.Follow(`form[action$="/review"] button[type="submit"]`)
	if text := b.Text(); !strings.Contains(text, "Saved.") || !strings.Contains(text, "The MFA list is complete.") || !strings.Contains(text, "delegate-key") {
		t.Fatalf("after the review the control page shows:\n%s", text)
	}
	b.Follow(`#evidence table a`)
	b.Follow(`table.list a`)
	if text := b.Text(); !strings.Contains(text, "Chain position") || !strings.Contains(text, "access-review.csv") || !strings.Contains(text, "sha256:") {
		t.Fatalf("the evidence page shows:\n%s", text)
	}
	b.Shot("evidence-item")
	b.SignOut()

	// The owner sees the review and comments too.
	b.SignIn(owner.ID, owner.Secret)
	b.Go(ctlPage)
	b.Run(chromedp.SendKeys(chromedp.ID("comment"), "Agreed."))
	b.Follow(`form[action$="/review"] button[type="submit"]`)
	text := b.Text()
	if !strings.Contains(text, "The MFA list is complete.") || !strings.Contains(text, "Agreed.") || !strings.Contains(text, "REVIEWED") {
		t.Fatalf("the owner's control page shows:\n%s", text)
	}
}
