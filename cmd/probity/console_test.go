package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestServeConsole: probity serve mounts the web console at /ui/ on its listener beside
// the API: /ui redirects to /ui/, which asks for sign-in; the root key signs in, the
// control library lists the standard content, and the API still answers its own paths.
func TestServeConsole(t *testing.T) {
	s := startServe(t, "--jobs=false")
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := c.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if r, _ := get("/ui"); r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != "/ui/" {
		t.Fatalf("GET /ui: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r, _ := get("/ui/"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/ui/signin") {
		t.Fatalf("GET /ui/ without a session: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	_, page := get("/ui/signin")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("sign-in page has no CSRF token:\n%s", page)
	}
	resp, err := c.PostForm(s.URL+"/ui/signin", url.Values{"keyId": {testRootID}, "secret": {testRootSecret}, "csrf": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/" {
		t.Fatalf("sign in with the root key: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if r, body := get("/ui/controls?type=Standard"); r.StatusCode != http.StatusOK || !strings.Contains(body, `href="/ui/controls/`) {
		t.Fatalf("controls page: %d\n%s", r.StatusCode, body)
	}
	if r, _ := get("/controls?controlType=Standard"); r.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned API request: %d, want the API's own 403", r.StatusCode)
	}
}
