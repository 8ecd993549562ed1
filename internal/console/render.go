package console

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
)

//go:embed templates/*.html static/*
var assets embed.FS

// view is what every template gets: the page's own data as .Data, and what the layout
// needs.
type view struct {
	Data      any
	Principal *auth.Principal // nil on the sign-in page
	CSRF      string          // the token every non-GET form carries ({{template "csrf" .}})
	Nav       []navItem
	Notice    string // a fixed message named by the "done" query parameter
}

// Can reports whether the principal has at least the level ("viewer", "editor",
// "admin"): for showing edit controls. The route of the action checks again.
func (v view) Can(level string) bool {
	return v.Principal != nil && v.Principal.Level.Allows(auth.Level(level))
}

// navItem is one entry of the header's navigation.
type navItem struct {
	Label, Path string
	Current     bool
}

// nav is the header's navigation, in order.
var nav = []navItem{
	{Label: "Dashboard", Path: Prefix},
	{Label: "Controls", Path: Prefix + "controls"},
	{Label: "Frameworks", Path: Prefix + "frameworks"},
	{Label: "Assessments", Path: Prefix + "assessments"},
	{Label: "Evidence", Path: Prefix + "evidence"},
	{Label: "Reports", Path: Prefix + "reports"},
	{Label: "Notifications", Path: Prefix + "notifications"},
	{Label: "Sources", Path: Prefix + "sources"},
	{Label: "Settings", Path: Prefix + "settings"},
}

// notices are the only texts the "done" query parameter shows, set by the redirect after
// a change.
var notices = map[string]string{
	"saved":   "Saved.",
	"copied":  "Copied. This is your new custom control; edit it as you need.",
	"created": "Created.",
	// The evidence, reports and settings pages.
	"selected": "Added to the assessment report selection.",
	"deleted":  "Deleted.",
}

// funcs are the template functions every page may use.
var funcs = template.FuncMap{
	"list": func(s ...string) []string { return s },
	"time": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
}

// parsePages parses each templates/NAME.html (except layout.html and partials, whose
// names start with "_") with the layout and the partials into the page NAME.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	shared := []string{"templates/layout.html"}
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			shared = append(shared, n)
		}
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, append(shared, n)...)
		if err != nil {
			return nil, fmt.Errorf("console: %w", err)
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// render writes the page name (templates/name.html in the layout) with data, status 200.
func (c *Console) render(w http.ResponseWriter, r *http.Request, name string, data any) error {
	return c.renderStatus(w, r, http.StatusOK, name, data)
}

// renderStatus is render with another status (a form with errors: 400). The page is
// executed into a buffer first, so a template failure becomes an error page rather than
// half a page. It returns an error for an unknown page or a template that fails.
func (c *Console) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	t := c.pages[name]
	if t == nil {
		return fmt.Errorf("console: no page %q", name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout.html", newView(r, data)); err != nil {
		return fmt.Errorf("console: page %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(b.Bytes())
	return err // the client went away: nothing to show it
}

// newView returns what the layout needs around the page's data.
func newView(r *http.Request, data any) view {
	info := infoOf(r.Context())
	v := view{Data: data, Principal: info.principal, CSRF: info.csrf, Notice: notices[r.URL.Query().Get("done")]}
	if info.session != nil {
		v.CSRF = info.session.CSRF
	}
	if v.Principal != nil {
		v.Nav = make([]navItem, len(nav))
		for i, n := range nav {
			n.Current = r.URL.Path == n.Path || n.Path != Prefix && strings.HasPrefix(r.URL.Path, n.Path)
			v.Nav[i] = n
		}
	}
	return v
}

// errNoPage is a path below Prefix that no page serves.
var errNoPage = probity.Errorf(probity.ENOTFOUND, "There is no such page in the console.")

// errorData is the error page's data.
type errorData struct {
	Status  int
	Title   string
	Message string
}

// fail writes the page of an error: its code's status and message, or, for an internal
// error, 500 and a generic message (the cause goes to the access log once).
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	d := errorData{Message: probity.ErrorMessage(err)}
	switch code := probity.ErrorCode(err); {
	case errors.As(err, &mbe):
		d.Status, d.Title, d.Message = http.StatusRequestEntityTooLarge, "Too large", fmt.Sprintf("The form is larger than the %d bytes this console accepts.", mbe.Limit)
	case code == probity.ENOTFOUND:
		d.Status, d.Title = http.StatusNotFound, "Not found"
	case code == probity.EUNAUTHORIZED:
		d.Status, d.Title = http.StatusForbidden, "Not allowed"
	case code == probity.EINVALID:
		d.Status, d.Title = http.StatusBadRequest, "Invalid request"
	case code == probity.ECONFLICT:
		d.Status, d.Title = http.StatusConflict, "Conflict"
	case code == probity.EQUOTA:
		d.Status, d.Title = http.StatusForbidden, "Limit reached"
	default:
		d.Status, d.Title, d.Message = http.StatusInternalServerError, "Something went wrong", "The console could not do this. The server's log has the details."
		infoOf(r.Context()).err = err
	}
	if rerr := c.renderStatus(w, r, d.Status, "error", d); rerr != nil {
		infoOf(r.Context()).err = errors.Join(err, rerr)
		http.Error(w, d.Title, d.Status)
	}
}

// staticHandler serves the embedded CSS and JavaScript, cacheable for a day (their names
// do not change with their content, so not longer).
func staticHandler(files fs.FS) http.Handler {
	fsrv := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}
