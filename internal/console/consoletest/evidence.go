package consoletest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/console"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/secret"
)

// WithEvidence returns the Env with another console with cfg, on another server over the
// same store, keys and clock, set up as probity serve sets it up: its assessments service
// is the API's, with an evidence ledger whose blob store is a temporary directory (so
// manual evidence can be imported and files downloaded), it issues upload URLs
// (Config.Uploads), and its server also serves those URLs (amapi.UploadPattern).
func (e *Env) WithEvidence(t testing.TB, cfg console.Config) *Env {
	t.Helper()
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	l := evidence.New(e.Store, box)
	l.Blobs, l.Now = evidence.Dir(t.TempDir()), e.Clock.Now
	api, err := amapi.New(amapi.Config{Library: e.Library, Assess: e.Assess, Keys: e.KeyManager, Ledger: l, Now: e.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	twin := *e
	twin.Assess = api.Assess()
	cfg.Library, cfg.Assess, cfg.Keys, cfg.Now, cfg.Uploads = e.Library, twin.Assess, e.KeyManager, e.Clock.Now, api
	if twin.Console, err = console.New(cfg); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(amapi.UploadPattern, api.Uploads())
	mux.Handle(console.Prefix, twin.Console)
	twin.Server = httptest.NewServer(mux)
	t.Cleanup(twin.Server.Close)
	return &twin
}

// AddKey makes another access key of the level, for the account (Account when empty),
// acting as the identity arn (keys.UserARN of its name when empty), and returns it.
func (e *Env) AddKey(t testing.TB, name string, level auth.Level, account, arn string) Key {
	t.Helper()
	if account == "" {
		account = Account
	}
	p, sec, err := e.KeyManager.CreateWithARN(t.Context(), name, level, account, arn)
	if err != nil {
		t.Fatal(err)
	}
	return Key{ID: p.KeyID, Secret: sec, Principal: p}
}

// SignInKey returns a client signed in with the key, as SignIn does with a level's.
func (e *Env) SignInKey(t testing.TB, k Key) *Client {
	t.Helper()
	c := e.Client(t)
	c.Get(console.Prefix + "signin")
	r := c.Post(console.Prefix+"signin", url.Values{"keyId": {k.ID}, "secret": {k.Secret}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, console.Prefix) {
		t.Fatalf("sign in as %s: %d %s\n%s", k.Principal.Name, r.Status, r.Location, r.Body)
	}
	c.Get(console.Prefix)
	return c
}
