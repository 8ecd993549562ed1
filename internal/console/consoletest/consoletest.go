// Package consoletest gives tests of the web console a console over a real store with a
// known library and a signed-in HTTP client per access level. Handler tests and the
// browser tests (internal/console/browsertest) use it; so can the tests of pages added
// later.
package consoletest

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/console"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

// Account is the account every key of an Env acts for.
const Account = "111122223333"

// HostileName is the name of Env.Custom: markup and script that a page must show as text.
const HostileName = `<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"`

// Source is the catalog source that manages Env.Managed, from ManagedPath.
const (
	Source      = "files:policies"
	ManagedPath = "controls/managed.yaml"
)

// Key is an access key of an Env.
type Key struct {
	ID, Secret string
	Principal  auth.Principal
}

// Env is a console over a store with: a standard control (Standard), a custom control
// the API manages with a hostile name (Custom), a custom control a catalog source manages
// with its file and a failed outcome (Managed), a custom framework of Custom (Framework),
// and a key of each level.
type Env struct {
	Store     store.Store
	Library   *library.Service
	Assess    *assess.Service
	Keys      map[auth.Level]Key
	Clock     *Clock
	Console   *console.Console
	Standard  *probity.Control
	Custom    *probity.Control
	Managed   *probity.Control
	Framework *probity.Framework
	Server    *httptest.Server
	// KeyManager resolves the keys, as serve's does.
	KeyManager *keys.Manager
}

// New returns an Env over st (empty), its console served by an httptest server closed
// when the test ends. cfg's Library, Assess, Keys and Now are set by New; set the rest
// (timeouts, limits) as the test needs.
func New(t testing.TB, st store.Store, cfg console.Config) *Env {
	t.Helper()
	ctx := context.Background()
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	clock := &Clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	e := &Env{Store: st, Clock: clock, Keys: map[auth.Level]Key{},
		Library: &library.Service{Store: st, Now: clock.Now},
		Assess:  &assess.Service{Store: st, Now: clock.Now}}
	km := &keys.Manager{Store: st, Box: box, Now: clock.Now}
	for _, l := range auth.Levels {
		p, sec, err := km.Create(ctx, string(l)+"-key", l, Account)
		if err != nil {
			t.Fatal(err)
		}
		e.Keys[l] = Key{ID: p.KeyID, Secret: sec, Principal: p}
	}
	e.KeyManager = km
	e.fill(t)
	e.serve(t, cfg)
	return e
}

// Twin returns the Env with another console with cfg, on another server, over the same
// store, keys and clock: a second process of the same deployment.
func (e *Env) Twin(t testing.TB, cfg console.Config) *Env {
	t.Helper()
	twin := *e
	twin.serve(t, cfg)
	return &twin
}

func (e *Env) serve(t testing.TB, cfg console.Config) {
	t.Helper()
	cfg.Library, cfg.Assess, cfg.Keys, cfg.Now = e.Library, e.Assess, e.KeyManager, e.Clock.Now
	var err error
	if e.Console, err = console.New(cfg); err != nil {
		t.Fatal(err)
	}
	e.Server = httptest.NewServer(e.Console)
	t.Cleanup(e.Server.Close)
}

// fill writes the library: the standard control through the store (as standard content
// is loaded), the rest through the library service and the catalog's records.
func (e *Env) fill(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	admin := e.Keys[auth.Admin].Principal
	src := func(name, keyword string) []probity.ControlMappingSource {
		return []probity.ControlMappingSource{{SourceName: name, SourceType: probity.SourceTypeConfig, SourceFrequency: "DAILY",
			SourceKeyword: &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: keyword}}}
	}
	now := e.Clock.Now()
	std := &probity.Control{ID: probity.NewID(), Type: probity.ControlTypeStandard, Name: "AC-2 Account management",
		Description: "Standard control about accounts.", ControlMappingSources: src("Config rule", "IAM_USER_MFA_ENABLED"),
		Tags: map[string]string{"family": "AC"}, Domain: "AC", CreatedAt: now, LastUpdatedAt: now, CreatedBy: "Probity", LastUpdatedBy: "Probity"}
	std.ARN = probity.DefaultPartition.ARN("control", std.ID)
	std.Normalize()
	managed := &probity.Control{ID: probity.NewID(), AccountID: Account, Type: probity.ControlTypeCustom, Name: "Managed encryption",
		Description: "From a file.", ControlMappingSources: src("Config rule", "S3_BUCKET_VERSIONING_ENABLED"),
		ManagedBy: Source, CreatedAt: now, LastUpdatedAt: now}
	managed.ARN = probity.Partition{Region: probity.DefaultPartition.Region, AccountID: Account}.ARN("control", managed.ID)
	managed.Normalize()
	file := "name: Managed encryption\ndescription: From a file.\ndatasources:\n  - sourceName: Config rule\n    sourceType: AWS_Config\n" +
		"    sourceKeyword:\n      keywordInputType: SELECT_FROM_LIST\n      keywordValue: S3_BUCKET_VERSIONING_ENABLED\n"
	err := e.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		if err := tx.PutControls(ctx, []*probity.Control{std, managed}); err != nil {
			return err
		}
		if err := tx.SaveCatalogFiles(ctx, Source, []store.CatalogFile{{Source: Source, Path: ManagedPath, Data: []byte(file), Revision: "r1", UpdatedAt: now}}, nil); err != nil {
			return err
		}
		return tx.AddNotification(ctx, &probity.Notification{ID: probity.NotificationID(now), AccountID: Account, Source: Source, EventTime: now,
			Description: "Catalog source: " + Source + "\n1 file(s) failed:\n" + ManagedPath + " (its last good version stays in effect):\n  " +
				ManagedPath + ":4:17: datasources[0].sourceType: must be one of AWS_Cloudtrail, AWS_Config\n"})
	})
	if err != nil {
		t.Fatal(err)
	}
	e.Standard, e.Managed = std, managed
	if e.Custom, err = e.Library.CreateControl(ctx, admin, library.ControlInput{Name: HostileName, Description: "Custom </textarea> control",
		ControlMappingSources: src("Config rule", "S3_BUCKET_LOGGING_ENABLED"), Tags: map[string]string{"team": "security"}}); err != nil {
		t.Fatal(err)
	}
	v, err := e.Library.CreateFramework(ctx, admin, library.FrameworkInput{Name: "Custom framework",
		ControlSets: []probity.ControlSet{{Name: "Set one", Controls: []string{e.Custom.ID, std.ID}}}})
	if err != nil {
		t.Fatal(err)
	}
	e.Framework = v.Framework
}

// Clock is a settable clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Client is a browser without JavaScript: cookies kept, redirects not followed, and the
// CSRF token of the last page it read sent with every Post.
type Client struct {
	t    testing.TB
	base string
	hc   *http.Client
	csrf string
}

// Response is a page the Client read.
type Response struct {
	Status   int
	Header   http.Header
	Body     string
	Location string
}

// Client returns a client of the Env's server that is not signed in.
func (e *Env) Client(t testing.TB) *Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Client{t: t, base: e.Server.URL, hc: hc}
}

// SignIn returns a client signed in with the key of the level. It fails the test when
// sign-in does not redirect into the console.
func (e *Env) SignIn(t testing.TB, level auth.Level) *Client {
	t.Helper()
	c := e.Client(t)
	k := e.Keys[level]
	c.Get(console.Prefix + "signin")
	r := c.Post(console.Prefix+"signin", url.Values{"keyId": {k.ID}, "secret": {k.Secret}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, console.Prefix) {
		t.Fatalf("sign in as %s: %d %s\n%s", level, r.Status, r.Location, r.Body)
	}
	c.Get(console.Prefix) // a page of the session, for its CSRF token
	return c
}

var csrfPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// Get reads the path.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.Do(req)
}

// Post sends the form to the path, with the CSRF token of the last page read unless the
// form has a csrf member (set it to "" to send none).
func (c *Client) Post(path string, form url.Values) *Response {
	c.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf)
	}
	if form.Get("csrf") == "" {
		form.Del("csrf")
	}
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// Do sends the request and reads the response, remembering its page's CSRF token.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if m := csrfPattern.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b), Location: resp.Header.Get("Location")}
}

// Cookie returns the client's cookie of the name for the console's paths, or nil.
func (c *Client) Cookie(name string) *http.Cookie {
	u, err := url.Parse(c.base + console.Prefix)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// CSRF returns the CSRF token of the last page read.
func (c *Client) CSRF() string { return c.csrf }
