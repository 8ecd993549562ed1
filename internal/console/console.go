// Package console is Probity's web console: server-rendered HTML pages under /ui/ on the
// listener of probity serve, signed in with an access key, acting through the same
// application layer as the Audit Manager API (internal/library, internal/assess), so
// that the browser and the API can never disagree about what a caller sees or may do.
//
// # Security model
//
// A browser signs in with an access key id and secret (checked by keys.Manager.Lookup,
// compared in constant time, failures throttled per key id and per client). The console
// then keeps a session in the store (store.Session: the hash of its token, never the
// token), so that every process sharing the database knows it and signing out ends it
// everywhere. Sessions end after Config.IdleTimeout unused and Config.MaxAge in all.
// Every request resolves the session's key again into an auth.Principal, so deleting a
// key ends its sessions. Every non-GET request must carry the session's CSRF token in
// the form field "csrf" and must not come from another site (Sec-Fetch-Site, Origin).
// Every response carries a strict Content-Security-Policy (no inline script or style).
//
// # How to add a page
//
//  1. Write page_NAME.go with the handler, a func(w, r) error method of *Console:
//     read the request, call ONE application function (c.cfg.Library, c.cfg.Assess)
//     as the principal(r), and finish with c.render(w, r, "NAME", data) or a 303
//     redirect after a change. Return application errors as they are: the console
//     maps their codes to pages (ENOTFOUND 404, EUNAUTHORIZED 403, EINVALID 400, ...).
//     A form that fails validation re-renders itself with formErrors(err, fieldMap)
//     next to its fields, status 400 (see page_control_edit.go).
//  2. Write templates/NAME.html defining "title" and "content"; it is rendered inside
//     templates/layout.html, with the page's data as .Data (see view for the rest:
//     .CSRF for every form, .Can "editor" to show edit controls, .Principal).
//     Every form that is not GET carries {{template "csrf" .}}.
//  3. Add its routes to routes() in routes.go with the access level each needs; a
//     page that acts on an assessment also calls c.requireAssessment (the roles of
//     the API). Long lists page with pageLinks (a cursor, never an offset).
//  4. Add handler tests (consoletest.New gives a console over a real store and a
//     signed-in client per level; run them on both backends with backendtest.Run),
//     and a screenshot in the browser test (browsertest.Browser.Shot).
//
// docs/console.md says the same at more length.
package console

import (
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/insights"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/pipeline"
)

// Prefix is the path the console is mounted at; every page is below it.
const Prefix = "/ui/"

// Defaults of Config.
const (
	DefaultIdleTimeout  = 30 * time.Minute
	DefaultMaxAge       = 12 * time.Hour
	DefaultMaxBodyBytes = 1 << 20
	DefaultMaxFailures  = 5
	DefaultFailWindow   = 15 * time.Minute
	// DefaultMaxUploadBytes is the largest evidence file (assess.MaxEvidenceFileBytes)
	// with room for the rest of its form.
	DefaultMaxUploadBytes = assess.MaxEvidenceFileBytes + 64<<10
)

// Config is what the console needs. Library, Assess and Keys are required.
type Config struct {
	Library *library.Service
	Assess  *assess.Service
	Keys    *keys.Manager
	// Logger receives one access log line per request; nil discards them.
	Logger *slog.Logger
	// IdleTimeout ends a session unused for that long; MaxAge ends any session that
	// old. Zero means DefaultIdleTimeout and DefaultMaxAge.
	IdleTimeout, MaxAge time.Duration
	// SecureCookie sets the session cookie's Secure attribute on plain HTTP requests
	// too: for a console behind a TLS proxy (serve's --public-url https://...). Under
	// TLS it is always set.
	SecureCookie bool
	// MaxBodyBytes bounds request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxFailures failed sign-ins within FailWindow, for one key id or from one client,
	// refuse further attempts until the window passes. Zero means the defaults.
	MaxFailures int
	FailWindow  time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Uploads issues evidence file upload URLs on the same listener (serve gives it the
	// API's handler, amapi.Handler.IssueUpload), which the control page's drag-and-drop
	// upload PUTs files to; nil means the page offers only its plain file form.
	Uploads Uploader
	// MaxUploadBytes bounds the body of the plain (no JavaScript) evidence file form
	// instead of MaxBodyBytes; 0 means DefaultMaxUploadBytes.
	MaxUploadBytes int64

	// Insights computes the dashboard, as the API's insights operations; nil means one
	// over Library's store with Now.
	Insights *insights.Service
	// Reports makes, lists and verifies assessment reports; nil when this server makes
	// none (the reports pages say so).
	Reports *assess.Reports
	// Sources returns the catalog sources' status; nil when this server runs none.
	Sources func() []pipeline.SourceStatus
}

// Uploader issues evidence file upload URLs: the evidenceFileName manual evidence names,
// and the path of the URL the file's bytes are PUT to (amapi.UploadPattern).
type Uploader interface {
	IssueUpload(account, fileName string) (evidenceFileName, path string, err error)
}

// Console is the web console's http.Handler; see the package comment.
type Console struct {
	cfg      Config
	mux      *http.ServeMux
	pages    map[string]*template.Template
	throttle *throttle
	log      *slog.Logger
}

// New returns the console. It returns an error when a required member of cfg is missing
// or a template does not parse.
func New(cfg Config) (*Console, error) {
	if cfg.Library == nil || cfg.Assess == nil || cfg.Keys == nil {
		return nil, errors.New("console: Config needs Library, Assess and Keys")
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = DefaultMaxFailures
	}
	if cfg.FailWindow <= 0 {
		cfg.FailWindow = DefaultFailWindow
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if cfg.Insights == nil {
		cfg.Insights = &insights.Service{Store: cfg.Library.Store, Now: cfg.Now}
	}
	c := &Console{cfg: cfg, mux: http.NewServeMux(), log: cfg.Logger,
		throttle: newThrottle(cfg.MaxFailures, cfg.FailWindow)}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var err error
	if c.pages, err = parsePages(); err != nil {
		return nil, err
	}
	c.routes()
	return c, nil
}

// ServeHTTP serves the console's paths (Prefix and below, and the bare "/ui", which
// redirects to Prefix): the security headers, the body bound and the access log around
// the page's handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &requestInfo{}
	rw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	setSecurityHeaders(rw.Header())
	limit := c.cfg.MaxBodyBytes
	if isFileForm(r) {
		limit = c.cfg.MaxUploadBytes
	}
	r.Body = http.MaxBytesReader(rw, r.Body, limit)
	r = r.WithContext(withInfo(r.Context(), info))
	if r.URL.Path == strings.TrimSuffix(Prefix, "/") {
		http.Redirect(rw, r, Prefix, http.StatusMovedPermanently)
	} else {
		c.mux.ServeHTTP(rw, r)
	}
	c.accessLog(r, rw.status, time.Since(start), info)
}

// setSecurityHeaders sets the headers every response carries.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}

// statusWriter remembers the status a handler wrote, for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher, so that a page that streams (the dashboard) reaches the
// client section by section.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		w.wrote = true
		f.Flush()
	}
}

// accessLog writes the request's line: method, path, status, duration, remote address,
// the key and account once known, and an internal error's cause.
func (c *Console) accessLog(r *http.Request, status int, d time.Duration, info *requestInfo) {
	level := slog.LevelInfo
	if info.err != nil {
		level = slog.LevelError
	}
	ctx := r.Context()
	if !c.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", status),
		slog.Duration("duration", d), slog.String("remote", r.RemoteAddr)}
	if p := info.principal; p != nil {
		attrs = append(attrs, slog.String("key", p.Name), slog.String("account", p.AccountID))
	}
	if info.err != nil {
		attrs = append(attrs, slog.String("error", info.err.Error()))
	}
	c.log.LogAttrs(ctx, level, "console request", attrs...)
}
