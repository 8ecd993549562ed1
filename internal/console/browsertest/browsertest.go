// Package browsertest drives the web console in a real headless Chromium
// (github.com/chromedp/chromedp) for tests: sign in, click through pages, and take
// screenshots at 1280x800 and 390 px wide that are checked to be non-blank and free of
// template errors, written to $PROBITY_ARTIFACTS.
//
// Without Chromium the tests that use it skip, saying how to install it, unless
// PROBITY_TEST_BROWSER=required (scripts/test sets it), when they fail instead.
package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Widths are the viewports every Shot captures: a laptop and a phone.
var Widths = []struct{ Width, Height int }{{1280, 800}, {390, 844}}

// runTimeout bounds one Run: a safety net for a browser that hangs, not a measure.
const runTimeout = 60 * time.Second

// Browser is one headless Chromium with a fresh profile, on the console at Base.
type Browser struct {
	t   testing.TB
	ctx context.Context
	// Base is the console's origin, such as http://127.0.0.1:PORT.
	Base string
	// Artifacts is the directory screenshots are written to.
	Artifacts string
}

// Chromium returns the path of the Chromium binary: $PROBITY_CHROMIUM, else chromium or
// chromium-browser on PATH; "" when there is none.
func Chromium() string {
	if p := os.Getenv("PROBITY_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Start launches Chromium for the console at base, closed when the test ends. It skips
// the test when Chromium is missing, or fails it under PROBITY_TEST_BROWSER=required.
func Start(t testing.TB, base string) *Browser {
	t.Helper()
	path := Chromium()
	if path == "" {
		if os.Getenv("PROBITY_TEST_BROWSER") == "required" {
			t.Fatal("browsertest: Chromium is required (PROBITY_TEST_BROWSER=required) but not installed: apt-get install chromium")
		}
		t.Skip("browsertest: Chromium is not installed (apt-get install chromium, or set PROBITY_CHROMIUM); skipping the browser test")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(Widths[0].Width, Widths[0].Height),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser, which lives as long as that run's context: ctx
	// itself, not one with Run's timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(Widths[0].Width), int64(Widths[0].Height))); err != nil {
		t.Fatalf("browsertest: start %s: %v", path, err)
	}
	return &Browser{t: t, ctx: ctx, Base: strings.TrimSuffix(base, "/"), Artifacts: artifacts(t)}
}

// artifacts returns $PROBITY_ARTIFACTS (made when missing), or a new temporary directory
// that outlives the test, named in the test's log.
func artifacts(t testing.TB) string {
	dir := os.Getenv("PROBITY_ARTIFACTS")
	if dir == "" {
		d, err := os.MkdirTemp("", "probity-artifacts-")
		if err != nil {
			t.Fatal(err)
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("browsertest: screenshots in %s", dir)
	return dir
}

// Run runs the actions in the page, in order, failing the test on the first error.
func (b *Browser) Run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, runTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browsertest: %v (at %s)", err, b.URL())
	}
}

// Get runs one action that returns a value, failing the test on an error.
func Get[T any](b *Browser, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, runTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("browsertest: %v (at %s)", err, b.URL())
	}
	return v
}

// Go opens the console's path (such as /ui/controls) and waits for its main content.
func (b *Browser) Go(path string) {
	b.t.Helper()
	b.Run(chromedp.Navigate(b.Base+path), chromedp.WaitReady(chromedp.CSS("main")))
}

// Follow clicks the element sel selects (a link, a form's button) and waits for the page
// it leads to, failing the test when none loads. It returns that page's HTTP status.
func (b *Browser) Follow(sel chromedp.CSS) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, runTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel))
	if err != nil {
		b.t.Fatalf("browsertest: follow %s: %v (at %s)", sel, err, b.URL())
	}
	if resp == nil {
		b.t.Fatalf("browsertest: follow %s: no page loaded (at %s)", sel, b.URL())
	}
	return resp.Status
}

// SignIn signs in through the sign-in form with the key, and waits for the console's
// navigation.
func (b *Browser) SignIn(keyID, secret string) {
	b.t.Helper()
	b.Go("/ui/signin")
	b.Run(chromedp.SendKeys(chromedp.ID("keyId"), keyID), chromedp.SendKeys(chromedp.ID("secret"), secret))
	b.Follow(`form[action="/ui/signin"] button[type="submit"]`)
	b.Run(chromedp.WaitVisible(chromedp.ID("nav")))
}

// SignOut presses Sign out and waits for the sign-in page.
func (b *Browser) SignOut() {
	b.t.Helper()
	b.Follow(`form[action="/ui/signout"] button`)
	b.Run(chromedp.WaitVisible(chromedp.ID("keyId")))
}

// Text returns the page's visible text.
func (b *Browser) Text() string {
	b.t.Helper()
	return Get(b, chromedp.Text(chromedp.CSS("body")))
}

// URL returns the page's address.
func (b *Browser) URL() string {
	u, _ := chromedp.Run(b.ctx, chromedp.Location())
	return u
}

// TemplateErrors are what a page shows when a template went wrong.
var TemplateErrors = []string{"ZgotmplZ", "template:", "<no value>"}

// Shot checks the page for template errors and captures it at each of Widths as
// NAME-WIDTH.png in Artifacts, failing the test for an image that is blank (one colour
// nearly everywhere). The viewport is back at the first width afterwards.
func (b *Browser) Shot(name string) {
	b.t.Helper()
	html := Get(b, chromedp.OuterHTML(chromedp.CSS("html")))
	for _, bad := range TemplateErrors {
		if strings.Contains(html, bad) {
			b.t.Errorf("browsertest: page %s shows %q", name, bad)
		}
	}
	for _, w := range Widths {
		b.Run(chromedp.EmulateViewport(int64(w.Width), int64(w.Height)))
		if sw := Get(b, chromedp.Evaluate[int](`document.scrollingElement.scrollWidth`)); sw > w.Width {
			b.t.Errorf("browsertest: page %s overflows at %d px: it is %d px wide (%s)", name, w.Width, sw, Get(b, chromedp.Evaluate[string](widest)))
		}
		img := Get(b, chromedp.CaptureScreenshot())
		file := filepath.Join(b.Artifacts, fmt.Sprintf("%s-%d.png", name, w.Width))
		if err := os.WriteFile(file, img, 0o644); err != nil {
			b.t.Fatal(err)
		}
		if v, err := Variance(img); err != nil || v < minVariance {
			b.t.Errorf("browsertest: %s looks blank (luminance variance %.1f, %v)", file, v, err)
		}
	}
	b.Run(chromedp.EmulateViewport(int64(Widths[0].Width), int64(Widths[0].Height)))
}

// widest names the elements that reach past the viewport, for the message of an
// overflow.
const widest = `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > innerWidth + 1)
	.slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && e.className.baseVal === undefined ? "." + e.className : "")).join(", ")`

// Focus describes the element that has the keyboard focus.
type Focus struct {
	Tag, ID, Name, Type, Href, Text string
	// Outline is the computed outline (style and width) that shows the focus; "none"
	// or a zero width when nothing shows it.
	OutlineStyle string
	OutlineWidth float64
}

// Visible reports whether the focus shows: an outline with a width.
func (f Focus) Visible() bool { return f.OutlineStyle != "none" && f.OutlineWidth > 0 }

// String names the element for messages.
func (f Focus) String() string {
	return fmt.Sprintf("<%s id=%q name=%q href=%q> %q", f.Tag, f.ID, f.Name, f.Href, f.Text)
}

const focused = `(() => { const e = document.activeElement || document.body, st = getComputedStyle(e);
	return {Tag: e.tagName.toLowerCase(), ID: e.id || "", Name: e.getAttribute("name") || "", Type: e.getAttribute("type") || "",
		Href: e.getAttribute("href") || "", Text: (e.innerText || e.value || "").trim().slice(0, 80),
		OutlineStyle: st.outlineStyle, OutlineWidth: parseFloat(st.outlineWidth) || 0}; })()`

// Focused returns the element that has the keyboard focus.
func (b *Browser) Focused() Focus {
	b.t.Helper()
	return Get(b, chromedp.Evaluate[Focus](focused))
}

// Press sends the keys (see chromedp's kb package: kb.Tab, kb.Enter, " ", text) to the
// focused element, as a keyboard would.
func (b *Browser) Press(keys string, opts ...chromedp.KeyOption) {
	b.t.Helper()
	b.Run(chromedp.KeyEvent(keys, opts...))
}

// PressFollow presses the keys and waits for the page they lead to, as Follow does for a
// click. It returns that page's HTTP status.
func (b *Browser) PressFollow(keys string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, runTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(keys))
	if err != nil {
		b.t.Fatalf("browsertest: press %q: %v (at %s)", keys, err, b.URL())
	}
	if resp == nil {
		b.t.Fatalf("browsertest: press %q: no page loaded (at %s)", keys, b.URL())
	}
	return resp.Status
}

// maxTabs bounds the Tab presses of TabTo: more than any page of the console has stops.
const maxTabs = 200

// TabTo presses Tab (Shift+Tab when back) until the focused element is one that want
// accepts, failing the test when none is reached. Every link and button it passes must
// show its focus (Focus.Visible).
func (b *Browser) TabTo(what string, back bool, want func(Focus) bool) Focus {
	b.t.Helper()
	var opts []chromedp.KeyOption
	if back {
		opts = append(opts, chromedp.KeyModifiers(chromedp.ModifierShift))
	}
	for range maxTabs {
		b.Press("\t", opts...)
		f := b.Focused()
		if (f.Tag == "a" || f.Tag == "button") && !f.Visible() {
			b.t.Errorf("browsertest: focus on %s does not show (outline %s %.1fpx) at %s", f, f.OutlineStyle, f.OutlineWidth, b.URL())
		}
		if want(f) {
			return f
		}
	}
	b.t.Fatalf("browsertest: %d Tab presses did not reach %s at %s", maxTabs, what, b.URL())
	return Focus{}
}

// minVariance is the least luminance variance of a page with content: a page of one
// colour has 0; text on a background, hundreds.
const minVariance = 20

// Variance returns the variance of the luminance (0 to 255) of the PNG's pixels.
func Variance(pngData []byte) (float64, error) {
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return 0, err
	}
	return variance(img), nil
}

func variance(img image.Image) float64 {
	var n, sum, sq float64
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 257
			n++
			sum += l
			sq += l * l
		}
	}
	if n == 0 {
		return 0
	}
	mean := sum / n
	return sq/n - mean*mean
}
