package console_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/console"
	"github.com/probity-dev/probity/internal/console/browsertest"
	"github.com/probity-dev/probity/internal/console/consoletest"
	"github.com/probity-dev/probity/internal/store/backendtest"
)

// TestBrowserKeyboard uses the console with the keyboard alone (Tab, Shift+Tab, Enter,
// Space, typing; no click): sign in, skip to the content, open a control from the
// library, and copy it through its form. Every link and button the focus passes shows
// it with an outline.
func TestBrowserKeyboard(t *testing.T) {
	e := consoletest.New(t, backendtest.Open(t, "sqlite"), console.Config{})
	b := browsertest.Start(t, e.Server.URL)
	k := e.Keys[auth.Editor]
	byID := func(id string) func(browsertest.Focus) bool {
		return func(f browsertest.Focus) bool { return f.ID == id }
	}

	b.Go("/ui/signin")
	b.TabTo("the key id field", false, byID("keyId"))
	b.Press(k.ID)
	b.TabTo("the secret field", false, byID("secret"))
	b.Press(k.Secret)
	// Back to the key id and forth again: Shift+Tab walks the same stops backwards.
	if f := b.TabTo("the key id field, backwards", true, byID("keyId")); f.Text != k.ID {
		t.Errorf("key id field holds %q, want %q", f.Text, k.ID)
	}
	b.TabTo("the secret field again", false, byID("secret"))
	f := b.TabTo("the sign-in button", false, func(f browsertest.Focus) bool { return f.Tag == "button" })
	if !f.Visible() {
		t.Errorf("the sign-in button's focus does not show: %s", f)
	}
	if status := b.PressFollow(kb.Enter); status != 200 {
		t.Fatalf("sign in by Enter: the page after it answers %d", status)
	}
	if !strings.Contains(b.URL(), "/ui/") || strings.Contains(b.URL(), "signin") {
		t.Fatalf("after signing in by keyboard the browser is at %s", b.URL())
	}

	b.Go("/ui/controls")
	// The first stop is the skip link; Enter moves the focus to the content.
	skip := b.TabTo("the skip link", false, func(f browsertest.Focus) bool { return f.Tag == "a" })
	if skip.Href != "#main" {
		t.Errorf("the first Tab stop is %s, want the skip link", skip)
	}
	b.Press(kb.Enter)
	if f := b.Focused(); f.ID != "main" {
		t.Errorf("after the skip link the focus is on %s, want main", f)
	}
	want := "/ui/controls/" + e.Standard.ID
	b.TabTo("the standard control's link", false, func(f browsertest.Focus) bool { return f.Href == want })
	if status := b.PressFollow(kb.Enter); status != 200 {
		t.Fatalf("open the control by Enter: %d", status)
	}
	if text := b.Text(); !strings.Contains(text, e.Standard.Name) {
		t.Fatalf("the control page shows:\n%s", text)
	}

	b.TabTo("the copy's name field", false, byID("copy-name"))
	// Select what the field holds (Ctrl+A) and type over it.
	b.Press("a", chromeCtrl)
	b.Press("Keyboard copy of AC-2")
	b.TabTo("the copy button", false, func(f browsertest.Focus) bool { return f.Tag == "button" && f.Text == "Copy to a custom control" })
	// Space presses a focused button.
	if status := b.PressFollow(" "); status != 200 {
		t.Fatalf("copy by Space: the page after it answers %d", status)
	}
	if text := b.Text(); !strings.Contains(text, "Copied.") || !strings.Contains(text, "Keyboard copy of AC-2") {
		t.Fatalf("after the copy the page shows:\n%s", text)
	}
	b.Shot("keyboard-copied")
}

// chromeCtrl holds Control down with a key.
var chromeCtrl = chromedp.KeyModifiers(chromedp.ModifierCtrl)
