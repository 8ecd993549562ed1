package console

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// Cookie names. The session cookie is scoped to Prefix.
const (
	sessionCookie = "probity_session"
	signInCookie  = "probity_signin" // the sign-in form's CSRF token, before any session
	csrfField     = "csrf"
)

// touchEvery is how stale a session's SeenAt may grow before a request writes it again:
// idle expiry is exact to within this much, and most requests write nothing.
const touchEvery = time.Minute

// handlerFunc is a page's handler: it writes the response, or returns an error that the
// console turns into a page (see fail).
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle registers a page that needs a session whose principal has the level needs.
func (c *Console) handle(pattern string, needs auth.Level, h handlerFunc) {
	c.mux.Handle(pattern, c.page(needs, h))
}

// public registers a page that needs no session (sign-in).
func (c *Console) public(pattern string, h handlerFunc) {
	c.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if err := h(w, r); err != nil {
			c.fail(w, r, err)
		}
	}))
}

// page wraps h: the session (or a redirect to sign-in), requireLevel(needs), the
// same-site and CSRF checks of a non-GET request, then h, whose error becomes a page.
func (c *Console) page(needs auth.Level, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		s, p, why := c.session(r)
		if s == nil {
			if why == "expired" {
				clearCookie(w, r, sessionCookie, c.secure(r))
			}
			c.toSignIn(w, r, why)
			return
		}
		info := infoOf(r.Context())
		info.principal, info.session = &p, s
		// The level first: it reads no body, so a caller who may not post here is refused
		// before a large form (an evidence file) is read to find its CSRF token.
		if err := c.requireLevel(r, needs); err != nil {
			c.fail(w, r, err)
			return
		}
		if err := c.checkForm(r, s.CSRF); err != nil {
			c.fail(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			c.fail(w, r, err)
		}
	})
}

// session returns the request's live session and its principal, or nil and why not:
// "required" (no session cookie, or one the store does not know) or "expired".
func (c *Console) session(r *http.Request) (*store.Session, auth.Principal, string) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, auth.Principal{}, "required"
	}
	ctx := r.Context()
	st := c.cfg.Library.Store
	id := tokenHash(ck.Value)
	s, err := st.Session(ctx, id)
	if err != nil {
		return nil, auth.Principal{}, "required"
	}
	now := c.cfg.Now()
	if now.Sub(s.CreatedAt) >= c.cfg.MaxAge || now.Sub(s.SeenAt) >= c.cfg.IdleTimeout {
		_ = st.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.DeleteSession(ctx, id) })
		return nil, auth.Principal{}, "expired"
	}
	p, _, err := c.cfg.Keys.Lookup(ctx, s.KeyID)
	if err != nil { // the key was deleted (or the store fails): the session is over
		return nil, auth.Principal{}, "expired"
	}
	if now.Sub(s.SeenAt) >= touchEvery {
		// A failed touch only shortens the session's idle life; the request goes on.
		_ = st.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.TouchSession(ctx, id, now) })
	}
	return s, p, ""
}

// toSignIn redirects to the sign-in page with the reason and, for a GET, the page to
// come back to.
func (c *Console) toSignIn(w http.ResponseWriter, r *http.Request, why string) {
	q := url.Values{"m": {why}}
	if r.Method == http.MethodGet {
		q.Set("next", r.URL.RequestURI())
	}
	http.Redirect(w, r, Prefix+"signin?"+q.Encode(), http.StatusSeeOther)
}

// signInMessages are the only texts the sign-in page shows from its query.
var signInMessages = map[string]string{
	"required":  "Sign in to continue.",
	"expired":   "Your session has expired. Sign in again.",
	"signedout": "You are signed out.",
}

// signInData is the sign-in page's data.
type signInData struct {
	Message, Next, KeyID string
	Errors               FormErrors
}

func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) error {
	return c.renderSignIn(w, r, http.StatusOK, signInData{Message: signInMessages[r.URL.Query().Get("m")], Next: safeNext(r.URL.Query().Get("next"))})
}

// renderSignIn renders the sign-in form with a fresh pre-session CSRF token, kept in a
// cookie that the form must echo (double submit).
func (c *Console) renderSignIn(w http.ResponseWriter, r *http.Request, status int, d signInData) error {
	tok := randomToken()
	http.SetCookie(w, &http.Cookie{Name: signInCookie, Value: tok, Path: Prefix + "signin", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.secure(r), MaxAge: int(c.cfg.FailWindow.Seconds())})
	infoOf(r.Context()).csrf = tok
	return c.renderStatus(w, r, status, "signin", d)
}

// signIn checks the key and starts a session.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) error {
	ck, err := r.Cookie(signInCookie)
	if err != nil || c.checkForm(r, ck.Value) != nil {
		return errForbiddenForm
	}
	id, secret := strings.TrimSpace(r.PostFormValue("keyId")), r.PostFormValue("secret")
	d := signInData{Next: safeNext(r.PostFormValue("next")), KeyID: id, Errors: FormErrors{}}
	if id == "" {
		d.Errors.Add("keyId", "Enter the access key id.")
	}
	if secret == "" {
		d.Errors.Add("secret", "Enter the secret access key.")
	}
	if d.Errors.Any() {
		return c.renderSignIn(w, r, http.StatusBadRequest, d)
	}
	now := c.cfg.Now()
	client := clientOf(r)
	if !c.throttle.allow(now, "key:"+id, "client:"+client) {
		d.Errors.Add("", "Too many failed attempts. Wait a few minutes, then try again.")
		return c.renderSignIn(w, r, http.StatusTooManyRequests, d)
	}
	p, want, err := c.cfg.Keys.Lookup(r.Context(), id)
	if err != nil && !errors.Is(err, auth.ErrUnknownKey) {
		return err
	}
	// Compared even for an unknown key, so that the time taken does not tell which ids exist.
	ok := subtle.ConstantTimeCompare([]byte(secret), []byte(want)) == 1 && err == nil
	if !ok {
		c.throttle.fail(now, "key:"+id, "client:"+client)
		d.Errors.Add("", "The access key id or the secret is wrong.")
		return c.renderSignIn(w, r, http.StatusUnauthorized, d)
	}
	c.throttle.reset("key:" + id)
	tok := randomToken()
	s := &store.Session{ID: tokenHash(tok), KeyID: p.KeyID, CSRF: randomToken(), CreatedAt: now, SeenAt: now}
	ctx := r.Context()
	st := c.cfg.Library.Store
	err = st.Update(ctx, store.LockNone, func(tx store.Tx) error {
		// Sign-ins clear the sessions that have expired, so none outlives its bound.
		if _, err := tx.DeleteSessionsBefore(ctx, now.Add(-c.cfg.MaxAge), now.Add(-c.cfg.IdleTimeout)); err != nil {
			return err
		}
		return tx.CreateSession(ctx, s)
	})
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: Prefix, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.secure(r), MaxAge: int(c.cfg.MaxAge.Seconds())})
	clearCookie(w, r, signInCookie, c.secure(r))
	infoOf(r.Context()).principal = &p
	http.Redirect(w, r, cmp.Or(d.Next, Prefix), http.StatusSeeOther)
	return nil
}

// signOut ends the session everywhere and goes back to sign-in.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := infoOf(ctx).session.ID
	if err := c.cfg.Library.Store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.DeleteSession(ctx, id) }); err != nil {
		return err
	}
	clearCookie(w, r, sessionCookie, c.secure(r))
	http.Redirect(w, r, Prefix+"signin?m=signedout", http.StatusSeeOther)
	return nil
}

// checkForm refuses a non-GET request from another site (Sec-Fetch-Site, Origin) or
// without the token want in its form's csrf field.
func (c *Console) checkForm(r *http.Request, want string) error {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return errForbiddenForm
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return errForbiddenForm
		}
	}
	got := r.PostFormValue(csrfField)
	if got == "" || want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errForbiddenForm
	}
	return nil
}

// maxMemory is how much of a multipart form is held in memory; the rest of it (up to
// Config.MaxBodyBytes) goes to temporary files.
const maxMemory = 8 << 20

// parseForm reads the request's form, URL-encoded or multipart. It returns the body
// bound's *http.MaxBytesError as it is (a 413 page), and EINVALID for a form that does
// not parse.
func parseForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(maxMemory)
	} else {
		err = r.ParseForm()
	}
	var tooLarge *http.MaxBytesError
	if err != nil && !errors.As(err, &tooLarge) {
		return probity.Errorf(probity.EINVALID, "The form could not be read: %v.", err)
	}
	return err
}

// errForbiddenForm is a form refused by the CSRF checks.
var errForbiddenForm = probity.Errorf(probity.EUNAUTHORIZED, "This form was refused: it did not come from this console's own page, or the page was too old. Go back, reload the page and send the form again.")

// secure reports whether cookies get the Secure attribute.
func (c *Console) secure(r *http.Request) bool { return r.TLS != nil || c.cfg.SecureCookie }

func clearCookie(w http.ResponseWriter, r *http.Request, name string, secure bool) {
	path := Prefix
	if name == signInCookie {
		path = Prefix + "signin"
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure})
}

// safeNext returns next when it is a path of the console, else "": a sign-in never
// redirects elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") || strings.HasPrefix(next, Prefix+"signin") {
		return ""
	}
	return next
}

// clientOf returns the client's address without its port.
func clientOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// tokenHash is what the store keeps of a session token.
func tokenHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// randomToken returns 256 random bits, URL-safe.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// requestInfo is what the console learns about a request as it serves it: for the
// access log, the templates and the handlers.
type requestInfo struct {
	principal *auth.Principal
	session   *store.Session
	csrf      string // the sign-in form's token, before a session
	err       error  // an internal error, logged once in the access log
}

type infoKey struct{}

func withInfo(ctx context.Context, i *requestInfo) context.Context {
	return context.WithValue(ctx, infoKey{}, i)
}

func infoOf(ctx context.Context) *requestInfo {
	if i, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		return i
	}
	return &requestInfo{}
}

// principal returns who the request acts as. Only pages registered with handle have one;
// elsewhere it returns the zero Principal, which may do nothing.
func principal(r *http.Request) auth.Principal {
	if p := infoOf(r.Context()).principal; p != nil {
		return *p
	}
	return auth.Principal{}
}
