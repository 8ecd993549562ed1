package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/console"
	"github.com/probity-dev/probity/internal/console/consoletest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
)

// run runs test on a fresh Env of each backend.
func run(t *testing.T, cfg console.Config, test func(t *testing.T, e *consoletest.Env)) {
	backendtest.Run(t, func(t *testing.T, st store.Store) { test(t, consoletest.New(t, st, cfg)) })
}

// templateErrors are what a page shows when a template went wrong.
var templateErrors = []string{"ZgotmplZ", "template:", "<no value>"}

func checkPage(t *testing.T, what string, r *consoletest.Response) {
	t.Helper()
	for _, bad := range templateErrors {
		if strings.Contains(r.Body, bad) {
			t.Errorf("%s: page shows %q", what, bad)
		}
	}
	// Every table scrolls sideways in a region that the keyboard reaches and that says
	// what it holds, so that no page is wider than a phone.
	tables, wraps := strings.Count(r.Body, "<table"), strings.Count(r.Body, `<div class="table-wrap" tabindex="0" role="region" aria-label="`)
	if tables != wraps || strings.Count(r.Body, `class="table-wrap"`) != wraps {
		t.Errorf("%s: %d tables, %d in a labelled scroll region", what, tables, wraps)
	}
}

// TestPagesByLevel: every page answers each access level as its route says, and shows
// edit controls only to those who may use them.
func TestPagesByLevel(t *testing.T) {
	run(t, console.Config{}, func(t *testing.T, e *consoletest.Env) {
		ok, denied := http.StatusOK, http.StatusForbidden
		tests := []struct {
			path                  string
			viewer, editor, admin int
			has                   string // text the page shows (to every level it answers 200)
		}{
			{"/ui/", ok, ok, ok, "All active assessments"},
			{"/ui/controls", ok, ok, ok, "AC-2 Account management"},
			{"/ui/controls/" + e.Standard.ID, ok, ok, ok, "IAM_USER_MFA_ENABLED"},
			{"/ui/controls/" + e.Custom.ID, ok, ok, ok, "S3_BUCKET_LOGGING_ENABLED"},
			{"/ui/controls/" + e.Managed.ID, ok, ok, ok, consoletest.ManagedPath},
			{"/ui/controls/" + e.Custom.ID + "/edit", denied, ok, ok, "Save"},
			{"/ui/controls/no-such-control", http.StatusNotFound, http.StatusNotFound, http.StatusNotFound, "does not exist"},
			{"/ui/frameworks", ok, ok, ok, "Frameworks"},
			{"/ui/frameworks?type=Custom", ok, ok, ok, "Custom framework"},
			{"/ui/frameworks?type=Other", http.StatusBadRequest, http.StatusBadRequest, http.StatusBadRequest, "Standard or Custom"},
			{"/ui/frameworks/" + e.Framework.ID, ok, ok, ok, "Set one"},
			{"/ui/frameworks/new", denied, ok, ok, "Create the framework"},
			{"/ui/frameworks/" + e.Framework.ID + "/edit", denied, ok, ok, "Control set Set one"},
			{"/ui/controls/new", denied, ok, ok, "Create control"},
			{"/ui/assessments", ok, ok, ok, "No assessment yet."},
			{"/ui/evidence", ok, ok, ok, "Choose an assessment"},
			{"/ui/reports", ok, ok, ok, "makes no assessment reports"},
			{"/ui/notifications", ok, ok, ok, "Catalog source: " + consoletest.Source},
			{"/ui/sources", ok, ok, ok, consoletest.Source},
			{"/ui/settings", ok, ok, ok, "Account " + consoletest.Account},
			{"/ui/no-such-page", http.StatusNotFound, http.StatusNotFound, http.StatusNotFound, "no such page"},
		}
		for _, level := range auth.Levels {
			c := e.SignIn(t, level)
			for _, tt := range tests {
				want := map[auth.Level]int{auth.Viewer: tt.viewer, auth.Editor: tt.editor, auth.Admin: tt.admin}[level]
				r := c.Get(tt.path)
				if r.Status != want {
					t.Errorf("%s GET %s: status %d, want %d\n%s", level, tt.path, r.Status, want, r.Body)
					continue
				}
				checkPage(t, string(level)+" GET "+tt.path, r)
				if want < 300 || want >= 400 && tt.has != "" && want != denied {
					if !strings.Contains(r.Body, tt.has) {
						t.Errorf("%s GET %s: page does not show %q", level, tt.path, tt.has)
					}
				}
			}
			// Edit controls: none for a viewer; copy for editors on any control, edit only
			// on the custom control no file manages.
			editor := level != auth.Viewer
			for _, x := range []struct {
				id         string
				edit, copy bool
			}{{e.Standard.ID, false, editor}, {e.Custom.ID, editor, editor}, {e.Managed.ID, false, editor}} {
				body := c.Get("/ui/controls/" + x.id).Body
				if got := strings.Contains(body, "/edit\""); got != x.edit {
					t.Errorf("%s: control %s shows edit: %v, want %v", level, x.id, got, x.edit)
				}
				if got := strings.Contains(body, "Copy to a custom control"); got != x.copy {
					t.Errorf("%s: control %s shows copy: %v, want %v", level, x.id, got, x.copy)
				}
			}
			if got := strings.Contains(c.Get("/ui/frameworks").Body, "/ui/frameworks/new"); got != editor {
				t.Errorf("%s: frameworks page shows create: %v, want %v", level, got, editor)
			}
			if got := strings.Contains(c.Get("/ui/controls").Body, "/ui/controls/new"); got != editor {
				t.Errorf("%s: control library shows New custom control: %v, want %v", level, got, editor)
			}
			if got := strings.Contains(c.Get("/ui/frameworks/"+e.Framework.ID).Body, "/edit\""); got != editor {
				t.Errorf("%s: custom framework shows edit: %v, want %v", level, got, editor)
			}
		}
	})
}

// TestFormsByLevel: every form, posted with a valid CSRF token by each level: a viewer's
// is refused with 403 and changes nothing; an editor's and an admin's go through the
// library, or come back with the error next to the field.
func TestFormsByLevel(t *testing.T) {
	run(t, console.Config{}, func(t *testing.T, e *consoletest.Env) {
		for _, level := range auth.Levels {
			c := e.SignIn(t, level)
			c.Get("/ui/controls/" + e.Standard.ID)
			forms := []struct {
				name, path string
				form       url.Values
				want       int
				has        string // in the page (error) or the redirect's target
			}{
				{"copy", "/ui/controls/" + e.Standard.ID + "/copy", url.Values{"name": {"Copy by " + string(level)}}, http.StatusSeeOther, "done=copied"},
				{"copy with a taken name", "/ui/controls/" + e.Standard.ID + "/copy", url.Values{"name": {consoletest.HostileName}}, http.StatusBadRequest, `id="copy-name-error"`},
				{"copy without a name", "/ui/controls/" + e.Standard.ID + "/copy", url.Values{"name": {""}}, http.StatusBadRequest, `id="copy-name-error"`},
				{"edit", "/ui/controls/" + e.Custom.ID + "/edit", url.Values{"name": {consoletest.HostileName}, "description": {"edited by " + string(level)},
					"sources": {"1"}, "id-0": {e.Custom.ControlMappingSources[0].SourceID}, "name-0": {"Config rule"}, "type-0": {"AWS_Config"}, "keyword-0": {"S3_BUCKET_LOGGING_ENABLED"}},
					http.StatusSeeOther, "done=saved"},
				{"new control", "/ui/controls/new", url.Values{"name": {"New by " + string(level)}, "sources": {"1"}, "name-0": {"Manual"}, "type-0": {"MANUAL"}}, http.StatusSeeOther, "done=created"},
				{"new control without a keyword", "/ui/controls/new", url.Values{"name": {"Keywordless " + string(level)}, "sources": {"1"}, "name-0": {"Rule"}, "type-0": {"AWS_Config"}, "description-0": {"no keyword"}}, http.StatusBadRequest, `id="keyword-0-error"`},
				{"framework edit", "/ui/frameworks/" + e.Framework.ID + "/edit", url.Values{"name": {"Custom framework"}, "sets": {"1"}, "setName-0": {"Set one"}, "controls-0": {e.Custom.ID + "\n" + e.Standard.ID}}, http.StatusSeeOther, "done=saved"},
				{"framework edit without sets", "/ui/frameworks/" + e.Framework.ID + "/edit", url.Values{"name": {"Custom framework"}, "sets": {"1"}}, http.StatusBadRequest, `id="sets-error"`},
				{"edit without a name", "/ui/controls/" + e.Custom.ID + "/edit", url.Values{"name": {""}}, http.StatusBadRequest, `id="name-error"`},
				{"edit a managed control", "/ui/controls/" + e.Managed.ID + "/edit", url.Values{"name": {"x"}}, http.StatusBadRequest, consoletest.Source},
				{"edit a standard control", "/ui/controls/" + e.Standard.ID + "/edit", url.Values{"name": {"x"}}, http.StatusBadRequest, "form-error"},
				{"new framework", "/ui/frameworks/new", url.Values{"name": {"Framework of " + string(level)}, "setName": {"Set"}, "control": {e.Custom.ID, e.Standard.ID}}, http.StatusSeeOther, "done=created"},
				{"new framework without controls", "/ui/frameworks/new", url.Values{"name": {"Empty " + string(level)}, "setName": {"Set"}}, http.StatusBadRequest, `id="controls-error"`},
				{"new framework without a name", "/ui/frameworks/new", url.Values{"setName": {"Set"}, "control": {e.Custom.ID}}, http.StatusBadRequest, `id="name-error"`},
			}
			for _, f := range forms {
				want := f.want
				if level == auth.Viewer {
					want = http.StatusForbidden
				}
				r := c.Post(f.path, f.form)
				if r.Status != want {
					t.Errorf("%s %s: status %d, want %d\n%s", level, f.name, r.Status, want, r.Body)
					continue
				}
				checkPage(t, string(level)+" "+f.name, r)
				if level != auth.Viewer && !strings.Contains(r.Body+r.Location, f.has) {
					t.Errorf("%s %s: response does not show %q: %s\n%s", level, f.name, f.has, r.Location, r.Body)
				}
				if r.Status == http.StatusSeeOther {
					if p := c.Get(r.Location); p.Status != http.StatusOK {
						t.Errorf("%s %s: redirect to %s answers %d", level, f.name, r.Location, p.Status)
					}
				}
			}
			// The new framework page keeps the chosen controls across a search.
			if level != auth.Viewer {
				r := c.Get("/ui/frameworks/new?q=zzz-nothing&control=" + e.Custom.ID)
				if !strings.Contains(r.Body, `value="`+e.Custom.ID+`" checked`) {
					t.Errorf("%s: a search drops the chosen control", level)
				}
			}
		}
		// The viewer changed nothing: no copy and no framework of its name.
		ctx := t.Context()
		lib, err := e.Store.Library(ctx, consoletest.Account)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range lib.Controls {
			if c.Name == "Copy by viewer" || c.Description == "edited by viewer" || c.Name == "New by viewer" {
				t.Errorf("a viewer's form changed control %q", c.Name)
			}
		}
		for _, f := range lib.Frameworks {
			if f.Name == "Framework of viewer" {
				t.Errorf("a viewer's form made framework %q", f.Name)
			}
		}
	})
}

// TestCSRF: a form without the session's token, with another token, or from another
// site is refused with 403 and a page that says why; so is a sign-in without its own
// token.
func TestCSRF(t *testing.T) {
	run(t, console.Config{}, func(t *testing.T, e *consoletest.Env) {
		c := e.SignIn(t, auth.Admin)
		path := "/ui/controls/" + e.Standard.ID + "/copy"
		post := func(csrf string, header map[string]string) *consoletest.Response {
			req, _ := http.NewRequest(http.MethodPost, e.Server.URL+path, strings.NewReader(url.Values{"name": {"CSRF copy"}, "csrf": {csrf}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range header {
				req.Header.Set(k, v)
			}
			return c.Do(req)
		}
		token := c.CSRF()
		for _, tt := range []struct {
			name   string
			csrf   string
			header map[string]string
		}{
			{"no token", "", nil},
			{"another token", otherToken(token), nil},
			{"cross-site fetch", token, map[string]string{"Sec-Fetch-Site": "cross-site"}},
			{"same-site fetch", token, map[string]string{"Sec-Fetch-Site": "same-site"}},
			{"another origin", token, map[string]string{"Origin": "https://evil.example"}},
		} {
			r := post(tt.csrf, tt.header)
			if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "This form was refused") {
				t.Errorf("%s: status %d, want 403 with the refusal page\n%s", tt.name, r.Status, r.Body)
			}
		}
		if r := post(token, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": e.Server.URL}); r.Status != http.StatusSeeOther {
			t.Errorf("the same form from the console's own page: status %d, want 303\n%s", r.Status, r.Body)
		}
		if r := c.Post("/ui/signout", url.Values{"csrf": {""}}); r.Status != http.StatusForbidden {
			t.Errorf("sign out without the token: status %d, want 403", r.Status)
		}
		// Sign-in needs the token of its own form (a cookie it set), not a session's.
		k := e.Keys[auth.Viewer]
		fresh := e.Client(t)
		if r := fresh.Post("/ui/signin", url.Values{"keyId": {k.ID}, "secret": {k.Secret}, "csrf": {"made-up"}}); r.Status != http.StatusForbidden {
			t.Errorf("sign in without the form's token: status %d, want 403", r.Status)
		}
	})
}

// TestSessions: no session, an idle one and an old one go to sign-in with their message;
// signing out ends the session for every copy of its cookie; a session is known to every
// console on the same store.
func TestSessions(t *testing.T) {
	cfg := console.Config{IdleTimeout: 30 * time.Minute, MaxAge: 2 * time.Hour}
	run(t, cfg, func(t *testing.T, e *consoletest.Env) {
		signInAt := func(r *consoletest.Response, why string) {
			t.Helper()
			if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/ui/signin?") || !strings.Contains(r.Location, "m="+why) {
				t.Fatalf("status %d to %q, want 303 to sign-in with m=%s", r.Status, r.Location, why)
			}
		}
		signInAt(e.Client(t).Get("/ui/controls"), "required")
		page := e.Client(t).Get("/ui/signin?m=expired&next=/ui/controls")
		if !strings.Contains(page.Body, "Your session has expired") || !strings.Contains(page.Body, `name="next" value="/ui/controls"`) {
			t.Errorf("sign-in page after expiry does not say so or forgets the page:\n%s", page.Body)
		}
		// Idle: used every 20 minutes it lives; after 31 unused it has expired.
		c := e.SignIn(t, auth.Viewer)
		for range 3 {
			e.Clock.Advance(20 * time.Minute)
			if r := c.Get("/ui/controls"); r.Status != http.StatusOK {
				t.Fatalf("session used every 20 min: status %d", r.Status)
			}
		}
		e.Clock.Advance(31 * time.Minute)
		signInAt(c.Get("/ui/controls"), "expired")
		signInAt(c.Get("/ui/controls"), "required") // and it is gone
		// Absolute: however busy, a session ends at MaxAge.
		c = e.SignIn(t, auth.Viewer)
		for i := 0; i < 5; i++ {
			e.Clock.Advance(20 * time.Minute)
			c.Get("/ui/")
		}
		e.Clock.Advance(20 * time.Minute) // 2 h in all
		signInAt(c.Get("/ui/"), "expired")
		// Another console on the same store (another process) knows the session; signing
		// out through one ends it in both, for any copy of its cookie.
		c = e.SignIn(t, auth.Editor)
		ck := c.Cookie("probity_session")
		if ck == nil || ck.Value == "" {
			t.Fatal("no session cookie after sign-in")
		}
		other := e.Twin(t, cfg)
		get := func() int {
			req, _ := http.NewRequest(http.MethodGet, other.Server.URL+"/ui/controls", nil)
			req.AddCookie(ck)
			return other.Client(t).Do(req).Status
		}
		if got := get(); got != http.StatusOK {
			t.Fatalf("the session at another console: status %d", got)
		}
		if r := c.Post("/ui/signout", url.Values{}); r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "m=signedout") {
			t.Fatalf("sign out: %d %s", r.Status, r.Location)
		}
		if got := get(); got != http.StatusSeeOther {
			t.Fatalf("the signed-out session at another console: status %d, want 303", got)
		}
	})
}

// TestSignIn: wrong secrets and unknown ids are refused alike, next to nothing that tells
// which; after MaxFailures for a key id even the right secret is refused until the window
// passes; a next page outside the console is not followed.
func TestSignIn(t *testing.T) {
	run(t, console.Config{MaxFailures: 3, FailWindow: 10 * time.Minute}, func(t *testing.T, e *consoletest.Env) {
		k := e.Keys[auth.Editor]
		try := func(c *consoletest.Client, id, secret, next string) *consoletest.Response {
			c.Get("/ui/signin")
			return c.Post("/ui/signin", url.Values{"keyId": {id}, "secret": {secret}, "next": {next}})
		}
		c := e.Client(t)
		if r := try(c, "", "", ""); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="keyId-error"`) || !strings.Contains(r.Body, `id="secret-error"`) {
			t.Errorf("empty form: %d, want 400 with both fields' errors\n%s", r.Status, r.Body)
		}
		for _, id := range []string{"PRBUNKNOWN", k.ID} {
			if r := try(c, id, "wrong", ""); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "The access key id or the secret is wrong.") {
				t.Errorf("%s with a wrong secret: %d, want 401", id, r.Status)
			}
		}
		if r := try(e.Client(t), k.ID, k.Secret, "https://evil.example/"); r.Status != http.StatusSeeOther || r.Location != "/ui/" {
			t.Errorf("sign in with an outside next: %d to %q, want 303 to /ui/", r.Status, r.Location)
		}
		if r := try(e.Client(t), k.ID, k.Secret, "/ui/frameworks?type=Custom"); r.Location != "/ui/frameworks?type=Custom" {
			t.Errorf("sign in with next: to %q", r.Location)
		}
		// Throttled per key id: from any client.
		for range 3 {
			try(e.Client(t), k.ID, "wrong", "")
		}
		if r := try(e.Client(t), k.ID, k.Secret, ""); r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "Too many failed attempts") {
			t.Errorf("right secret after 3 failures: %d, want 429", r.Status)
		}
		// Throttled per client: c failed twice above (unknown id and editor's); one more
		// for another key reaches the limit.
		try(c, e.Keys[auth.Admin].ID, "wrong", "")
		if r := try(c, e.Keys[auth.Viewer].ID, e.Keys[auth.Viewer].Secret, ""); r.Status != http.StatusTooManyRequests {
			t.Errorf("a client with 3 failures: %d, want 429", r.Status)
		}
		e.Clock.Advance(10 * time.Minute)
		if r := try(e.Client(t), k.ID, k.Secret, ""); r.Status != http.StatusSeeOther {
			t.Errorf("after the window: %d, want 303", r.Status)
		}
	})
}

// TestHeaders: every response carries the security headers, pages are not cached, and
// the session cookie is HttpOnly, SameSite=Strict, and Secure when configured.
func TestHeaders(t *testing.T) {
	run(t, console.Config{SecureCookie: true}, func(t *testing.T, e *consoletest.Env) {
		c := e.Client(t)
		for _, path := range []string{"/ui/signin", "/ui/controls", "/ui/static/console.css", "/ui/no-such-page"} {
			r := c.Get(path)
			want := map[string]string{
				"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "same-origin",
			}
			for k, v := range want {
				if got := r.Header.Get(k); got != v {
					t.Errorf("GET %s: %s = %q, want %q", path, k, got, v)
				}
			}
			if got := r.Header.Get("Cache-Control"); path != "/ui/static/console.css" && got != "no-store" {
				t.Errorf("GET %s: Cache-Control = %q, want no-store", path, got)
			}
		}
		c.Get("/ui/signin")
		k := e.Keys[auth.Viewer]
		r := c.Post("/ui/signin", url.Values{"keyId": {k.ID}, "secret": {k.Secret}})
		var cookie string
		for _, sc := range r.Header.Values("Set-Cookie") {
			if strings.HasPrefix(sc, "probity_session=") {
				cookie = sc
			}
		}
		for _, attr := range []string{"Path=/ui/", "HttpOnly", "SameSite=Strict", "Secure"} {
			if !strings.Contains(cookie, attr) {
				t.Errorf("session cookie %q lacks %s", cookie, attr)
			}
		}
		if r := c.Get("/ui"); r.Status != http.StatusMovedPermanently || r.Location != "/ui/" {
			t.Errorf("GET /ui: %d to %q, want 301 to /ui/", r.Status, r.Location)
		}
	})
}

// TestBodyLimit: a form larger than MaxBodyBytes is refused with 413.
func TestBodyLimit(t *testing.T) {
	run(t, console.Config{MaxBodyBytes: 1024}, func(t *testing.T, e *consoletest.Env) {
		c := e.SignIn(t, auth.Editor)
		r := c.Post("/ui/frameworks/new", url.Values{"name": {strings.Repeat("x", 2048)}})
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("large form: %d, want 413\n%s", r.Status, r.Body)
		}
	})
}

// TestEscaping: a control whose name and description are markup shows as text on every
// page that shows it, never as markup.
func TestEscaping(t *testing.T) {
	run(t, console.Config{}, func(t *testing.T, e *consoletest.Env) {
		c := e.SignIn(t, auth.Admin)
		for _, path := range []string{"/ui/controls", "/ui/controls?q=script", "/ui/controls/" + e.Custom.ID, "/ui/controls/" + e.Custom.ID + "/edit",
			"/ui/frameworks/" + e.Framework.ID, "/ui/frameworks/new?q=script"} {
			r := c.Get(path)
			checkPage(t, path, r)
			if strings.Contains(r.Body, "<script>alert") || strings.Contains(r.Body, "<img src=x") || strings.Contains(r.Body, "Custom </textarea>") {
				t.Errorf("GET %s: the hostile name is markup", path)
			}
			if !strings.Contains(r.Body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
				t.Errorf("GET %s: the hostile name is not shown escaped", path)
			}
		}
	})
}

// TestControlFilters: each filter of the control library, alone, and its errors.
func TestControlFilters(t *testing.T) {
	run(t, console.Config{}, func(t *testing.T, e *consoletest.Env) {
		c := e.SignIn(t, auth.Viewer)
		std, custom, managed := e.Standard.Name, "&lt;script&gt;", e.Managed.Name
		tests := []struct {
			query     string
			want, not []string
		}{
			{"", []string{std, custom, managed}, nil},
			{"type=Standard", []string{std}, []string{custom, managed}},
			{"type=Custom", []string{custom, managed}, []string{std}},
			{"managedBy=file", []string{managed}, []string{std, custom}},
			{"managedBy=api", []string{custom}, []string{std, managed}},
			{"tag=team", []string{custom}, []string{std, managed}},
			{"tag=family%3DAC", []string{std}, []string{custom, managed}},
			{"tag=family%3DAU", nil, []string{std, custom, managed}},
			{"sourceType=MANUAL", nil, []string{std, custom, managed}},
			{"sourceType=AWS_Config", []string{std, custom, managed}, nil},
			{"q=ACCOUNT+management", []string{std}, []string{custom, managed}},
			{"q=from+a+file", []string{managed}, []string{std, custom}},
			{"domain=AC", []string{std}, []string{custom, managed}},
			{"domain=Uncategorized", []string{custom, managed}, []string{std}},
			{"domain=AC&type=Custom", nil, []string{std, custom, managed}},
		}
		for _, tt := range tests {
			r := c.Get("/ui/controls?" + tt.query)
			if r.Status != http.StatusOK {
				t.Errorf("%s: status %d", tt.query, r.Status)
				continue
			}
			for _, w := range tt.want {
				if !strings.Contains(r.Body, w) {
					t.Errorf("%s: %q is not listed", tt.query, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(r.Body, n) {
					t.Errorf("%s: %q is listed", tt.query, n)
				}
			}
		}
		for _, tt := range []struct{ query, field string }{
			{"type=Other", "type"}, {"sourceType=FAX", "sourceType"}, {"managedBy=someone", "managedBy"}, {"after=%25%25", ""},
		} {
			r := c.Get("/ui/controls?" + tt.query)
			want := `id="` + tt.field + `-error"`
			if tt.field == "" {
				want = "form-error"
			}
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, want) {
				t.Errorf("%s: status %d, want 400 with %s\n%s", tt.query, r.Status, want, r.Body)
			}
		}
	})
}

// TestControlPaging: the control library pages by a cursor link that keeps the filters,
// and every control is listed once.
func TestControlPaging(t *testing.T) {
	run(t, console.Config{}, func(t *testing.T, e *consoletest.Env) {
		admin := e.SignIn(t, auth.Admin)
		for i := range 60 {
			admin.Get("/ui/controls/" + e.Standard.ID)
			if r := admin.Post("/ui/controls/"+e.Standard.ID+"/copy", url.Values{"name": {"Paged " + string(rune('A'+i/26)) + string(rune('a'+i%26))}}); r.Status != http.StatusSeeOther {
				t.Fatalf("copy %d: %d", i, r.Status)
			}
		}
		seen := map[string]int{}
		path := "/ui/controls?q=paged&type=Custom"
		for pages := 0; path != ""; pages++ {
			if pages > 3 {
				t.Fatal("more pages than 60 controls fill")
			}
			r := admin.Get(path)
			for _, m := range strings.Split(r.Body, ">Paged ")[1:] {
				seen[m[:2]]++
			}
			path = ""
			if i := strings.Index(r.Body, `rel="next"`); i >= 0 {
				j := strings.LastIndex(r.Body[:i], `href="`)
				path = strings.ReplaceAll(r.Body[j+6:i-2], "&amp;", "&")
				if !strings.Contains(path, "q=paged") || !strings.Contains(path, "type=Custom") {
					t.Fatalf("next page link %q drops the filters", path)
				}
			}
		}
		if len(seen) != 60 {
			t.Errorf("listed %d controls, want 60", len(seen))
		}
		for name, n := range seen {
			if n != 1 {
				t.Errorf("control %s listed %d times", name, n)
			}
		}
	})
}

// TestControlOrigin: a control a catalog file manages shows its file and position, and
// its source's last outcome's reasons about that file.
func TestControlOrigin(t *testing.T) {
	run(t, console.Config{}, func(t *testing.T, e *consoletest.Env) {
		r := e.SignIn(t, auth.Viewer).Get("/ui/controls/" + e.Managed.ID)
		for _, want := range []string{consoletest.ManagedPath + ":1:1", consoletest.Source, consoletest.ManagedPath + ":4:17: datasources[0].sourceType: must be one of"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("managed control page does not show %q\n%s", want, r.Body)
			}
		}
	})
}

// otherToken returns a token that differs from tok in its first character (a fixed
// replacement would be tok itself whenever tok starts with it).
func otherToken(tok string) string {
	if strings.HasPrefix(tok, "x") {
		return "y" + tok[1:]
	}
	return "x" + tok[1:]
}
