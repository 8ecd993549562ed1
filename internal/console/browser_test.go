package console_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/console"
	"github.com/probity-dev/probity/internal/console/browsertest"
	"github.com/probity-dev/probity/internal/console/consoletest"
	"github.com/probity-dev/probity/internal/store/backendtest"
)

// TestBrowser drives the console in headless Chromium as an editor: sign in, browse and
// filter the controls, copy a standard control, create a framework from chosen controls,
// make a custom control with a data source, sign out; with screenshots of the sign-in,
// controls, control, frameworks, framework edit and new control pages.
func TestBrowser(t *testing.T) {
	e := consoletest.New(t, backendtest.Open(t, "sqlite"), console.Config{})
	b := browsertest.Start(t, e.Server.URL)
	k := e.Keys[auth.Editor]

	b.Go("/ui/signin")
	b.Shot("signin")
	b.SignIn(k.ID, k.Secret)

	b.Go("/ui/controls")
	b.Shot("controls")
	b.Run(chromedp.SetValue(chromedp.ID("type"), "Standard"))
	b.Follow(`form.filters button[type="submit"]`)
	if text := b.Text(); !strings.Contains(text, e.Standard.Name) || strings.Contains(text, e.Managed.Name) {
		t.Fatalf("filtered by Standard, the list shows:\n%s", text)
	}
	b.Follow(`table.list a`)
	b.Shot("control")
	b.Run(chromedp.SetValue(chromedp.ID("copy-name"), "Browser copy of AC-2"))
	if status := b.Follow(`form[action$="/copy"] button[type="submit"]`); status != 200 {
		t.Fatalf("copy: the page after it answers %d", status)
	}
	if text := b.Text(); !strings.Contains(text, "Copied.") || !strings.Contains(text, "Browser copy of AC-2") {
		t.Fatalf("after the copy the page shows:\n%s", text)
	}

	b.Go("/ui/frameworks/new")
	b.Run(chromedp.SendKeys(chromedp.ID("name"), "Browser framework"),
		chromedp.Click(chromedp.ID("c-"+e.Custom.ID)), chromedp.Click(chromedp.ID("c-"+e.Standard.ID)))
	if status := b.Follow(`form.edit button[type="submit"]`); status != 200 {
		t.Fatalf("create framework: the page after it answers %d", status)
	}
	if text := b.Text(); !strings.Contains(text, "Browser framework") || !strings.Contains(text, e.Standard.Name) {
		t.Fatalf("the new framework's page shows:\n%s", text)
	}
	b.Go("/ui/frameworks?type=Custom")
	b.Shot("frameworks")
	b.Go("/ui/frameworks/" + e.Framework.ID + "/edit")
	b.Shot("framework-edit")

	// A new custom control with a data source, through the form.
	b.Go("/ui/controls/new")
	b.Shot("control-new")
	b.Run(chromedp.SendKeys(chromedp.ID("name"), "Browser control"), chromedp.SendKeys(chromedp.ID("name-0"), "Config rule"),
		chromedp.SetValue(chromedp.ID("type-0"), "AWS_Config"), chromedp.SendKeys(chromedp.ID("keyword-0"), "S3_BUCKET_VERSIONING_ENABLED"))
	if status := b.Follow(`form.edit button[type="submit"]`); status != 200 {
		t.Fatalf("new control: the page after it answers %d", status)
	}
	if text := b.Text(); !strings.Contains(text, "Browser control") || !strings.Contains(text, "S3_BUCKET_VERSIONING_ENABLED") {
		t.Fatalf("the new control's page shows:\n%s", text)
	}

	b.SignOut()
	if text := b.Text(); !strings.Contains(text, "You are signed out.") {
		t.Fatalf("after sign out the page shows:\n%s", text)
	}
	b.Go("/ui/controls")
	if text := b.Text(); !strings.Contains(text, "Sign in to continue.") {
		t.Fatalf("after sign out the controls page shows:\n%s", text)
	}
}
