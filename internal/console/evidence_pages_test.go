package console_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/console"
	"github.com/probity-dev/probity/internal/console/consoletest"
	"github.com/probity-dev/probity/internal/insights"
	"github.com/probity-dev/probity/internal/insights/insightstest"
	"github.com/probity-dev/probity/internal/pipeline"
	"github.com/probity-dev/probity/internal/report"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
)

// evEnv is a console over a store seeded by insightstest (exact evidence counts), with
// reports whose jobs the test runs (queue), and a catalog source's status.
type evEnv struct {
	*consoletest.Env
	Fix      *insightstest.Fixture
	Reports  *assess.Reports
	Insights *insights.Service // the console's, on the fixture's clock
	Queue    *manualQueue
	// Delegate is a signed-in client of a key whose identity is the fixture's delegate
	// of Set2 of A1.
	Delegate *consoletest.Client
	Dest     string // A1's reports destination, a local directory
}

// manualQueue records enqueued reports; the test generates them when it chooses.
type manualQueue struct {
	mu  sync.Mutex
	ids []string
}

func (q *manualQueue) EnqueueReport(_ context.Context, _, id string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ids = append(q.ids, id)
	return nil
}

// runAll generates every enqueued report.
func (q *manualQueue) runAll(t testing.TB, r *assess.Reports) {
	t.Helper()
	q.mu.Lock()
	ids := q.ids
	q.ids = nil
	q.mu.Unlock()
	for _, id := range ids {
		if err := r.Generate(context.Background(), consoletest.Account, id); err != nil {
			t.Fatal(err)
		}
	}
}

func newEvEnv(t testing.TB, st store.Store, cfg console.Config) *evEnv {
	t.Helper()
	ctx := context.Background()
	fix := insightstest.Seed(t, st)
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	q := &manualQueue{}
	reps := &assess.Reports{Service: &assess.Service{Store: st, Now: func() time.Time { return insightstest.Now }},
		Keys: &report.Keys{Store: st, Box: box}, Queue: q, TempDir: t.TempDir()}
	// A1 writes its reports to a local directory.
	as := &assess.Service{Store: st, Now: func() time.Time { return insightstest.Now }}
	a1, err := as.Get(ctx, insightstest.Owner, fix.A1)
	if err != nil {
		t.Fatal(err)
	}
	dest := t.TempDir()
	if _, err := as.Update(ctx, insightstest.Owner, fix.A1, assess.UpdateInput{Scope: a1.Scope,
		ReportsDestination: &probity.Destination{Type: "S3", Destination: dest}}); err != nil {
		t.Fatal(err)
	}
	cfg.Insights = &insights.Service{Store: st, Now: func() time.Time { return insightstest.Now }}
	cfg.Reports = reps
	cfg.Sources = func() []pipeline.SourceStatus {
		return []pipeline.SourceStatus{{Source: consoletest.Source, Up: true, LastReconcile: insightstest.Now, FailingFiles: 1}}
	}
	e := &evEnv{Env: consoletest.New(t, st, cfg), Fix: fix, Reports: reps, Insights: cfg.Insights, Queue: q, Dest: dest}
	_, sec, err := e.KeyManager.CreateWithARN(ctx, "delegate-key", auth.Editor, consoletest.Account, fix.Delegate.ARN)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := e.KeyManager.List(ctx)
	for _, k := range keys {
		if k.Name == "delegate-key" {
			e.Delegate = signInKey(t, e.Env, k.ID, sec)
		}
	}
	return e
}

// signInKey returns a client signed in with the key.
func signInKey(t testing.TB, e *consoletest.Env, id, sec string) *consoletest.Client {
	t.Helper()
	c := e.Client(t)
	c.Get("/ui/signin")
	if r := c.Post("/ui/signin", url.Values{"keyId": {id}, "secret": {sec}}); r.Status != http.StatusSeeOther {
		t.Fatalf("sign in: %d\n%s", r.Status, r.Body)
	}
	c.Get("/ui/")
	return c
}

func runEv(t *testing.T, test func(t *testing.T, e *evEnv)) {
	backendtest.Run(t, func(t *testing.T, st store.Store) { test(t, newEvEnv(t, st, console.Config{})) })
}

var metricPattern = regexp.MustCompile(`data-metric="([a-z]+)">([^<]*)<`)

// metrics returns the first value of each data-metric in the HTML.
func metrics(html string) map[string]string {
	out := map[string]string{}
	for _, m := range metricPattern.FindAllStringSubmatch(html, -1) {
		if _, ok := out[m[1]]; !ok {
			out[m[1]] = m[2]
		}
	}
	return out
}

// section returns the HTML of the dashboard section with the id.
func section(html, id string) string {
	i := strings.Index(html, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := html[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		return rest[:j]
	}
	return rest
}

// TestDashboard: the dashboard's numbers are the fixture's exact insights, per level and
// role: account-wide for everyone; each active assessment's for those who may read its
// evidence (admin: all; a delegate: its control set; a viewer with no role: a refusal in
// place); domains, top controls, reviews and sources.
func TestDashboard(t *testing.T) {
	runEv(t, func(t *testing.T, e *evEnv) {
		for _, level := range auth.Levels {
			r := e.SignIn(t, level).Get("/ui/")
			if r.Status != http.StatusOK {
				t.Fatalf("%s: %d\n%s", level, r.Status, r.Body)
			}
			checkPage(t, string(level)+" dashboard", r)
			all := metrics(section(r.Body, "all"))
			want := map[string]string{"compliant": "7", "noncompliant": "6", "inconclusive": "4", "noncompliantcontrols": "3",
				"totalcontrols": "8", "lastupdated": "2026-03-10"}
			for k, v := range want {
				if all[k] != v {
					t.Errorf("%s: account %s = %q, want %q", level, k, all[k], v)
				}
			}
			each := section(r.Body, "each")
			if !strings.Contains(each, `data-assessment="`+e.Fix.A1+`"`) || !strings.Contains(each, `data-assessment="`+e.Fix.A2+`"`) ||
				strings.Contains(each, e.Fix.A3) {
				t.Errorf("%s: the active assessments are not A1 and A2:\n%s", level, each)
			}
			a1 := each[strings.Index(each, `data-assessment="`+e.Fix.A1+`"`):]
			a1 = a1[:strings.Index(a1, "</article>")]
			if level == auth.Admin {
				m := metrics(a1)
				for k, v := range map[string]string{"compliant": "6", "noncompliant": "4", "inconclusive": "3", "noncompliantcontrols": "2", "totalcontrols": "4"} {
					if m[k] != v {
						t.Errorf("admin: A1 %s = %q, want %q", k, m[k], v)
					}
				}
			} else if !strings.Contains(a1, "may not read the evidence") {
				t.Errorf("%s (no role): A1 shows no refusal:\n%s", level, a1)
			}
			if d := section(r.Body, "domains"); !strings.Contains(d, "<h3>AC</h3>") || !strings.Contains(d, "<h3>Uncategorized</h3>") ||
				strings.Index(d, "<h3>AC</h3>") > strings.Index(d, "<h3>AU</h3>") {
				t.Errorf("%s: domains (AC first, by non-compliant evidence):\n%s", level, d)
			}
			if top := section(r.Body, "top"); !strings.Contains(top, "Account management") {
				t.Errorf("%s: top controls:\n%s", level, top)
			}
			if s := section(r.Body, "sources"); !strings.Contains(s, consoletest.Source) || !strings.Contains(s, "1 file(s) failing") {
				t.Errorf("%s: sources:\n%s", level, s)
			}
		}
		// The delegate of Set2 of A1 sees A1's Set2 only, and its delegation waits for it.
		r := e.Delegate.Get("/ui/")
		each := section(r.Body, "each")
		a1 := each[strings.Index(each, `data-assessment="`+e.Fix.A1+`"`):]
		if m := metrics(a1); m["noncompliant"] != "1" || m["inconclusive"] != "1" || m["compliant"] != "0" {
			t.Errorf("delegate: A1 = %v, want Set2's N1 I1", m)
		}
		if rv := section(r.Body, "review"); !strings.Contains(rv, "Set 2") || !strings.Contains(rv, "Delegated to you") {
			t.Errorf("delegate: waiting for review:\n%s", rv)
		}
	})
}

// gatedReader records what the client had received when the first insights query
// ran, once armed.
type gatedReader struct {
	store.Store
	once  sync.Once
	seen  func() string
	atRun string
}

func (g *gatedReader) InsightTotals(ctx context.Context, s store.InsightScope, gr store.InsightGroup) ([]store.InsightTotal, error) {
	if g.seen != nil { // armed
		g.once.Do(func() { g.atRun = g.seen() })
	}
	return g.Store.InsightTotals(ctx, s, gr)
}

// flushRecorder is a ResponseWriter that knows what has been flushed to the client.
type flushRecorder struct {
	mu      sync.Mutex // the dashboard's section queries read flushed as the page is written
	header  http.Header
	status  int
	buf     bytes.Buffer
	flushed bytes.Buffer
}

func (f *flushRecorder) Header() http.Header { return f.header }
func (f *flushRecorder) WriteHeader(s int) {
	if f.status == 0 {
		f.status = s
	}
}
func (f *flushRecorder) Write(b []byte) (int, error) { return f.buf.Write(b) }
func (f *flushRecorder) Flush() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flushed.Write(f.buf.Bytes())
	f.buf.Reset()
}
func (f *flushRecorder) sent() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.flushed.String()
}

// TestDashboardStreams: the layout's head and the page heading reach the client (are
// flushed) before the first insights query runs.
func TestDashboardStreams(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		insightstest.Seed(t, st)
		rec := &flushRecorder{header: http.Header{}}
		g := &gatedReader{Store: st}
		e := consoletest.New(t, st, console.Config{Insights: &insights.Service{Store: g, Now: func() time.Time { return insightstest.Now }}})
		c := e.SignIn(t, auth.Viewer) // reads the dashboard: the reader is armed after
		g.seen = rec.sent
		req := httptest.NewRequest(http.MethodGet, "/ui/", nil)
		req.AddCookie(c.Cookie("probity_session"))
		e.Console.ServeHTTP(rec, req)
		rec.Flush()
		if !strings.Contains(g.atRun, "<h1>Dashboard</h1>") || !strings.Contains(g.atRun, "<nav") || strings.Contains(g.atRun, `data-metric=`) {
			t.Errorf("flushed before the first query:\n%s", g.atRun)
		}
		if !strings.Contains(rec.flushed.String(), `data-metric="compliant">7<`) || !strings.Contains(rec.flushed.String(), "</html>") {
			t.Errorf("the whole page:\n%s", rec.flushed.String())
		}
	})
}

// TestEvidenceFinder: the finder's filters select the fixture's exact evidence, per level
// and role; bad filters come back next to their fields; the CSV export has the same rows.
func TestEvidenceFinder(t *testing.T) {
	runEv(t, func(t *testing.T, e *evEnv) {
		a1, y := e.Fix.A1, insightstest.Today.AddDate(0, 0, -1).Format(time.DateOnly)
		rows := regexp.MustCompile(`<tr>\s*(<td><input type="checkbox"[^>]*></td>)?\s*<td><time>`)
		tests := []struct {
			query string
			admin int // results an admin sees; the delegate sees Set2's (AC2 N1 I1) of those
			deleg int
		}{
			{"assessmentId=" + a1, 19, 2},
			{"assessmentId=" + a1 + "&compliance=NON_COMPLIANT", 9, 1},
			{"assessmentId=" + a1 + "&compliance=COMPLIANT", 7, 0},
			{"assessmentId=" + a1 + "&compliance=INCONCLUSIVE", 3, 1},
			{"assessmentId=" + a1 + "&controlId=" + e.Fix.Controls["AC1"].ID + "&compliance=NON_COMPLIANT", 8, 0},
			{"assessmentId=" + a1 + "&from=" + y + "&to=" + y, 6, 0},
			{"assessmentId=" + a1 + "&dataSource=Config+rule&account=" + insightstest.Account, 19, 2},
			{"assessmentId=" + a1 + "&account=999999999999", 0, 0},
			{"assessmentId=" + a1 + "&resourceType=s3", 0, 0},
		}
		admin, viewer := e.SignIn(t, auth.Admin), e.SignIn(t, auth.Viewer)
		for _, tt := range tests {
			for _, x := range []struct {
				who  string
				c    *consoletest.Client
				want int
			}{{"admin", admin, tt.admin}, {"delegate", e.Delegate, tt.deleg}} {
				r := x.c.Get("/ui/evidence?" + tt.query)
				if r.Status != http.StatusOK {
					t.Errorf("%s %s: %d\n%s", x.who, tt.query, r.Status, r.Body)
					continue
				}
				checkPage(t, tt.query, r)
				if got := len(rows.FindAllString(r.Body, -1)); got != x.want {
					t.Errorf("%s %s: %d results, want %d", x.who, tt.query, got, x.want)
				}
				csvResp := x.c.Get("/ui/evidence.csv?" + tt.query)
				recs, err := csv.NewReader(strings.NewReader(csvResp.Body)).ReadAll()
				if err != nil || csvResp.Status != http.StatusOK || len(recs) != x.want+1 {
					t.Errorf("%s CSV %s: %d, %d rows (%v), want %d", x.who, tt.query, csvResp.Status, len(recs), err, x.want+1)
				}
			}
		}
		// A viewer with no role in A1 may not read its evidence, on the page or in CSV.
		if r := viewer.Get("/ui/evidence?assessmentId=" + a1); r.Status != http.StatusForbidden {
			t.Errorf("viewer: %d, want 403", r.Status)
		}
		if r := viewer.Get("/ui/evidence.csv?assessmentId=" + a1); r.Status != http.StatusForbidden {
			t.Errorf("viewer CSV: %d, want 403", r.Status)
		}
		// Another account's assessment does not exist here.
		if r := admin.Get("/ui/evidence?assessmentId=" + e.Fix.B); r.Status != http.StatusNotFound {
			t.Errorf("other account: %d, want 404", r.Status)
		}
		// Bad filters: 400, the message next to the field.
		for _, bad := range []struct{ query, field string }{
			{"assessmentId=" + a1 + "&account=abc", "account-error"},
			{"assessmentId=" + a1 + "&from=yesterday", "from-error"},
			{"assessmentId=" + a1 + "&from=2026-03-10&to=2026-03-01", "to-error"},
			{"assessmentId=" + a1 + "&compliance=MAYBE", "compliance-error"},
			{"assessmentId=" + a1 + "&resourceType=s3%25", "resourceType-error"},
			{"assessmentId=" + a1 + "&after=garbage", "form-error"},
		} {
			r := admin.Get("/ui/evidence?" + bad.query)
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, bad.field) {
				t.Errorf("%s: %d, want 400 with %s\n%s", bad.query, r.Status, bad.field, r.Body)
			}
		}
		// The CSV names its columns and neutralises formulas.
		r := admin.Get("/ui/evidence.csv?assessmentId=" + a1 + "&compliance=NON_COMPLIANT")
		if !strings.HasPrefix(r.Body, "id,time,assessmentId") || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Errorf("CSV head: %q %q", r.Header.Get("Content-Type"), r.Body[:min(len(r.Body), 80)])
		}
	})
}

var evidenceBox = regexp.MustCompile(`name="ev" value="([^"]+)"`)

// TestEvidenceSelect: adding found evidence to the report selection, by level and role:
// a viewer's POST is refused; an editor with no role in the assessment is refused; the
// delegate may select its control set's evidence; an admin any; without a CSRF token
// nothing happens.
func TestEvidenceSelect(t *testing.T) {
	runEv(t, func(t *testing.T, e *evEnv) {
		a1 := e.Fix.A1
		admin := e.SignIn(t, auth.Admin)
		page := admin.Get("/ui/evidence?assessmentId=" + a1 + "&compliance=NON_COMPLIANT")
		boxes := evidenceBox.FindAllStringSubmatch(page.Body, -1)
		if len(boxes) != 9 {
			t.Fatalf("admin sees %d boxes, want 9", len(boxes))
		}
		form := func(vals ...string) url.Values {
			return url.Values{"assessmentId": {a1}, "ev": vals, "back": {"/ui/evidence?assessmentId=" + a1 + "&compliance=NON_COMPLIANT"}}
		}
		// No checkboxes for a viewer; its POST and an editor's without a role are refused.
		viewer := e.SignIn(t, auth.Viewer)
		if strings.Contains(viewer.Get("/ui/evidence?assessmentId="+a1).Body, `name="ev"`) {
			t.Error("a viewer sees selection checkboxes")
		}
		if r := viewer.Post("/ui/evidence/select", form(boxes[0][1])); r.Status != http.StatusForbidden {
			t.Errorf("viewer POST: %d, want 403", r.Status)
		}
		editor := e.SignIn(t, auth.Editor)
		if r := editor.Post("/ui/evidence/select", form(boxes[0][1])); r.Status != http.StatusForbidden {
			t.Errorf("editor without a role: %d, want 403", r.Status)
		}
		noCSRF := form(boxes[0][1])
		noCSRF.Set("csrf", "")
		if r := admin.Post("/ui/evidence/select", noCSRF); r.Status != http.StatusForbidden {
			t.Errorf("admin without CSRF: %d, want 403", r.Status)
		}
		// The delegate selects Set2's non-compliant evidence.
		dp := e.Delegate.Get("/ui/evidence?assessmentId=" + a1 + "&compliance=NON_COMPLIANT")
		db := evidenceBox.FindAllStringSubmatch(dp.Body, -1)
		if len(db) != 1 {
			t.Fatalf("delegate sees %d boxes, want 1", len(db))
		}
		if r := e.Delegate.Post("/ui/evidence/select", form(db[0][1])); r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "done=selected") {
			t.Fatalf("delegate select: %d %s\n%s", r.Status, r.Location, r.Body)
		}
		// The admin selects three more; the finder then shows 4 selected.
		if r := admin.Post("/ui/evidence/select", form(boxes[0][1], boxes[1][1], boxes[2][1])); r.Status != http.StatusSeeOther {
			t.Fatalf("admin select: %d\n%s", r.Status, r.Body)
		}
		after := admin.Get("/ui/evidence?assessmentId=" + a1 + "&compliance=NON_COMPLIANT&done=selected")
		if n := strings.Count(after.Body, "<td>Yes</td>"); n != 4 || !strings.Contains(after.Body, "Added to the assessment report selection.") {
			t.Errorf("after selecting: %d selected, want 4", n)
		}
		if r := admin.Post("/ui/evidence/select", form("not-a-pair")); r.Status != http.StatusBadRequest {
			t.Errorf("bad value: %d, want 400", r.Status)
		}
	})
}

// TestReports: a report created from the selection is IN_PROGRESS (with a refresh link
// and the status fragment), COMPLETE once its job ran, downloadable, and verified; by
// level: a viewer sees no form and its POST is refused, an editor without a role is
// refused, a bad name comes back next to the field; a tampered zip shows as not valid.
func TestReports(t *testing.T) {
	runEv(t, func(t *testing.T, e *evEnv) {
		a1 := e.Fix.A1
		admin := e.SignIn(t, auth.Admin)
		admin.Get("/ui/evidence?assessmentId=" + a1)
		boxes := evidenceBox.FindAllStringSubmatch(admin.Get("/ui/evidence?assessmentId="+a1).Body, -1)
		if r := admin.Post("/ui/evidence/select", url.Values{"assessmentId": {a1}, "ev": {boxes[0][1], boxes[1][1]}}); r.Status != http.StatusSeeOther {
			t.Fatalf("select: %d", r.Status)
		}
		viewer := e.SignIn(t, auth.Viewer)
		if body := viewer.Get("/ui/reports").Body; strings.Contains(body, "Create report") {
			t.Error("a viewer sees the create form")
		}
		if r := viewer.Post("/ui/reports", url.Values{"assessmentId": {a1}, "name": {"v"}}); r.Status != http.StatusForbidden {
			t.Errorf("viewer POST: %d, want 403", r.Status)
		}
		editor := e.SignIn(t, auth.Editor)
		editor.Get("/ui/reports")
		if r := editor.Post("/ui/reports", url.Values{"assessmentId": {a1}, "name": {"e"}}); r.Status != http.StatusForbidden {
			t.Errorf("editor without a role: %d, want 403", r.Status)
		}
		admin.Get("/ui/reports")
		if r := admin.Post("/ui/reports", url.Values{"assessmentId": {a1}, "name": {"bad name!"}}); r.Status != http.StatusBadRequest ||
			!strings.Contains(r.Body, `id="name-error"`) {
			t.Errorf("bad name: %d\n%s", r.Status, r.Body)
		}
		r := admin.Post("/ui/reports", url.Values{"assessmentId": {a1}, "name": {"q1-report"}, "description": {"First quarter"}})
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "done=created") {
			t.Fatalf("create: %d %s\n%s", r.Status, r.Location, r.Body)
		}
		page := strings.TrimSuffix(r.Location, "?done=created")
		p := admin.Get(page)
		if !strings.Contains(p.Body, "IN_PROGRESS") || !strings.Contains(p.Body, `class="refresh"`) || !strings.Contains(p.Body, "reports.js") {
			t.Errorf("in progress page:\n%s", p.Body)
		}
		if s := viewer.Get(page + "/status"); s.Status != http.StatusOK || !strings.Contains(s.Body, `"status":"IN_PROGRESS"`) {
			t.Errorf("status: %d %s", s.Status, s.Body)
		}
		if d := admin.Get(page + "/download"); d.Status != http.StatusBadRequest {
			t.Errorf("download while in progress: %d, want 400", d.Status)
		}
		e.Queue.runAll(t, e.Reports)
		if s := viewer.Get(page + "/status"); !strings.Contains(s.Body, `"status":"COMPLETE"`) {
			t.Errorf("status after the job: %s", s.Body)
		}
		// A viewer key with no role in the assessment sees the report, not its evidence.
		if p := viewer.Get(page); !strings.Contains(p.Body, `id="report-denied"`) || strings.Contains(p.Body, `id="download"`) {
			t.Errorf("a viewer's report page offers the download:\n%s", p.Body)
		}
		if d := viewer.Get(page + "/download"); d.Status != http.StatusForbidden {
			t.Errorf("a viewer's download: %d, want 403", d.Status)
		}
		for _, c := range []*consoletest.Client{admin} {
			p = c.Get(page)
			if !strings.Contains(p.Body, `id="verify-result"`) || !strings.Contains(p.Body, "Valid: every one of its") || strings.Contains(p.Body, "reports.js") {
				t.Errorf("complete page:\n%s", p.Body)
			}
			checkPage(t, "report", p)
			d := c.Get(page + "/download")
			if d.Status != http.StatusOK || d.Header.Get("Content-Type") != "application/zip" || !strings.HasPrefix(d.Body, "PK") {
				t.Errorf("download: %d %s", d.Status, d.Header.Get("Content-Type"))
			}
			if v, err := report.Verify(strings.NewReader(d.Body), int64(len(d.Body)), nil); err != nil || !v.Valid {
				t.Errorf("downloaded zip: %v %+v", err, v)
			}
		}
		if list := viewer.Get("/ui/reports"); !strings.Contains(list.Body, "q1-report") || !strings.Contains(list.Body, "COMPLETE") {
			t.Errorf("list:\n%s", list.Body)
		}
		if r := admin.Get("/ui/reports/" + e.Fix.B + "/" + probity.NewID()); r.Status != http.StatusNotFound {
			t.Errorf("another account's report: %d", r.Status)
		}
	})
}

// TestSourcesAndSettings: the sources page shows each source's status and its last
// outcome's path:line:col reasons; settings show the account to everyone, the form and
// the keys to admins only; an admin creates a key (its secret shown once, and it signs
// in), deletes it (its session ends), and cannot delete its own; errors next to fields.
func TestSourcesAndSettings(t *testing.T) {
	runEv(t, func(t *testing.T, e *evEnv) {
		for _, level := range auth.Levels {
			c := e.SignIn(t, level)
			s := c.Get("/ui/sources")
			if s.Status != http.StatusOK || !strings.Contains(s.Body, consoletest.ManagedPath+":4:17: datasources[0].sourceType") ||
				!strings.Contains(s.Body, ">Up<") {
				t.Errorf("%s sources: %d\n%s", level, s.Status, s.Body)
			}
			st := c.Get("/ui/settings")
			isAdmin := level == auth.Admin
			if st.Status != http.StatusOK || strings.Contains(st.Body, "Access keys") != isAdmin || strings.Contains(st.Body, "Save settings") != isAdmin {
				t.Errorf("%s settings: %d, admin parts shown wrongly", level, st.Status)
			}
			if !isAdmin {
				for _, post := range []string{"/ui/settings", "/ui/settings/keys", "/ui/settings/keys/delete"} {
					if r := c.Post(post, url.Values{"keyName": {"admin-key"}, "keyLevel": {"admin"}, "snsTopic": {""}}); r.Status != http.StatusForbidden {
						t.Errorf("%s POST %s: %d, want 403", level, post, r.Status)
					}
				}
			}
		}
		if _, _, err := e.KeyManager.Create(context.Background(), "other-account-key", auth.Admin, insightstest.Other); err != nil {
			t.Fatal(err)
		}
		admin := e.SignIn(t, auth.Admin)
		if body := admin.Get("/ui/settings").Body; strings.Contains(body, "other-account-key") || !strings.Contains(body, "viewer-key") {
			t.Error("the keys list shows another account's key, or not the account's own")
		}
		if r := admin.Post("/ui/settings/keys/delete", url.Values{"keyName": {"other-account-key"}}); r.Status != http.StatusNotFound {
			t.Errorf("delete another account's key: %d, want 404", r.Status)
		}
		if r := admin.Post("/ui/settings", url.Values{"snsTopic": {"not-an-arn"}}); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="snsTopic-error"`) {
			t.Errorf("bad topic: %d", r.Status)
		}
		if r := admin.Post("/ui/settings", url.Values{"snsTopic": {"arn:aws:sns:us-east-1:111122223333:alerts"}, "evidenceFinder": {"on"}}); r.Status != http.StatusSeeOther {
			t.Errorf("save: %d\n%s", r.Status, r.Body)
		}
		if a, _ := e.Library.Account(context.Background(), e.Keys[auth.Admin].Principal); a.Settings.SNSTopic != "arn:aws:sns:us-east-1:111122223333:alerts" || !a.Settings.EvidenceFinderEnabled {
			t.Errorf("settings after save: %+v", a.Settings)
		}
		admin.Get("/ui/settings")
		if r := admin.Post("/ui/settings/keys", url.Values{"keyName": {"bad/name"}, "keyLevel": {"viewer"}}); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="keyName-error"`) {
			t.Errorf("bad key name: %d", r.Status)
		}
		r := admin.Post("/ui/settings/keys", url.Values{"keyName": {"auditor"}, "keyLevel": {"viewer"}})
		id := regexp.MustCompile(`id="new-key-id">([^<]+)<`).FindStringSubmatch(r.Body)
		sec := regexp.MustCompile(`id="new-key-secret">([^<]+)<`).FindStringSubmatch(r.Body)
		if r.Status != http.StatusOK || id == nil || sec == nil {
			t.Fatalf("create key: %d\n%s", r.Status, r.Body)
		}
		auditor := signInKey(t, e.Env, html.UnescapeString(id[1]), html.UnescapeString(sec[1]))
		if list := admin.Get("/ui/settings"); strings.Contains(list.Body, sec[1]) || !strings.Contains(list.Body, "auditor") {
			t.Error("the secret shows again, or the key is not listed")
		}
		if r := admin.Post("/ui/settings/keys/delete", url.Values{"keyName": {"admin-key"}}); r.Status != http.StatusBadRequest {
			t.Errorf("delete own key: %d, want 400", r.Status)
		}
		if r := admin.Post("/ui/settings/keys/delete", url.Values{"keyName": {"no-such-key"}}); r.Status != http.StatusNotFound {
			t.Errorf("delete unknown key: %d, want 404", r.Status)
		}
		if r := admin.Post("/ui/settings/keys/delete", url.Values{"keyName": {"auditor"}}); r.Status != http.StatusSeeOther {
			t.Errorf("delete: %d", r.Status)
		}
		if r := auditor.Get("/ui/"); r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/ui/signin") {
			t.Errorf("the deleted key's session: %d %s", r.Status, r.Location)
		}
	})
}

// TestFindEvidencePaging: assess.FindEvidence pages through every match once, in order,
// whatever the page size and scan bound, and a bound reached before a page fills
// returns a cursor to search on; the finder page offers it.
func TestFindEvidencePaging(t *testing.T) {
	runEv(t, func(t *testing.T, e *evEnv) {
		ctx := context.Background()
		all := func(q assess.FindQuery, limit int) ([]string, int) {
			var ids []string
			var after assess.FindCursor
			calls := 0
			for {
				calls++
				page, err := e.Assess.FindEvidence(ctx, insightstest.Owner, q, after, limit)
				if err != nil {
					t.Fatal(err)
				}
				for _, ev := range page.Evidence {
					ids = append(ids, ev.ID)
				}
				if page.Next.IsZero() {
					return ids, calls
				}
				if calls > 100 {
					t.Fatal("the search does not end")
				}
				after = page.Next
			}
		}
		whole, _ := all(assess.FindQuery{AssessmentID: e.Fix.A1}, 1000)
		if len(whole) != 19 {
			t.Fatalf("%d evidence, want 19", len(whole))
		}
		for _, tt := range []struct{ limit, scan int }{{1, 0}, {4, 0}, {5, 3}, {50, 1}, {2, 7}} {
			got, _ := all(assess.FindQuery{AssessmentID: e.Fix.A1, MaxScan: tt.scan}, tt.limit)
			if strings.Join(got, ",") != strings.Join(whole, ",") {
				t.Errorf("limit %d, scan %d: %d evidence, not the whole list in order", tt.limit, tt.scan, len(got))
			}
		}
		// No match: each call stops at the bound, with a cursor, until the end.
		if got, calls := all(assess.FindQuery{AssessmentID: e.Fix.A1, ResourceType: "s3", MaxScan: 5}, 50); len(got) != 0 || calls != 4 {
			t.Errorf("no match with a bound of 5: %d found in %d calls, want 0 in 4", len(got), calls)
		}
	})
}

// resultRows matches a result row of the evidence finder.
var resultRows = regexp.MustCompile(`<tr>\s*(<td><input type="checkbox"[^>]*></td>)?\s*<td><time>`)

// TestFindEvidenceCursorStaysInDelegatedSets: a search's cursor is the caller's text (the
// finder's "after" parameter), so it may name any folder of the assessment; a delegate
// whose cursor names a folder of a control set it is not delegated gets none of that
// folder's evidence, on the finder page as from assess.FindEvidence.
func TestFindEvidenceCursorStaysInDelegatedSets(t *testing.T) {
	runEv(t, func(t *testing.T, e *evEnv) {
		ctx := context.Background()
		folders, err := e.Assess.EvidenceFolders(ctx, insightstest.Owner, e.Fix.A1, store.FolderCursor{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		var others []probity.EvidenceFolder
		for _, f := range folders {
			if f.ControlSetID != e.Fix.Set2 {
				others = append(others, f)
			}
		}
		if len(others) == 0 {
			t.Fatal("the fixture has no folder outside Set2")
		}
		for _, f := range others {
			cur := assess.FindCursor{Date: f.Date, FolderID: f.ID, Seq: 0}
			page, err := e.Assess.FindEvidence(ctx, e.Fix.Delegate, assess.FindQuery{AssessmentID: e.Fix.A1}, cur, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range page.Evidence {
				if ev.ControlSetID != e.Fix.Set2 {
					t.Errorf("cursor at folder %s of set %s: the delegate of Set2 got evidence %s of set %s", f.ID, f.ControlSetID, ev.ID, ev.ControlSetID)
				}
			}
			// The same through the finder page, the cursor encoded as the page encodes it.
			after := base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(f.Date.UnixNano(), 10) + " " + f.ID + " 0"))
			r := e.Delegate.Get("/ui/evidence?assessmentId=" + e.Fix.A1 + "&after=" + after)
			if got := len(resultRows.FindAllString(r.Body, -1)); r.Status != http.StatusOK || got > 2 {
				t.Errorf("finder page with a cursor at a folder of set %s: %d, %d results, want 200 and at most Set2's 2", f.ControlSetID, r.Status, got)
			}
		}
	})
}
