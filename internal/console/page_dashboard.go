package console

import (
	"bufio"
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/insights"
	"github.com/probity-dev/probity/internal/pipeline"
	"github.com/probity-dev/probity/internal/store"
)

// Dashboard limits: the days of each trend, the assessments shown one by one, the top
// controls, and the reviews listed.
const (
	trendDays            = 30
	dashboardAssessments = 10
	topControls          = 10
	dashboardReviews     = 20
)

// dashboard is the Dashboard: evidence by day and by control domain for the account's
// active assessments and each of them, the controls with the most non-compliant
// evidence, what waits for the caller's review, and the catalog sources' health; all from
// internal/insights, the code of the API's insights operations.
//
// It streams: the layout's head and the page's heading go out (and are flushed) before
// any query runs, then each section as its queries finish. So the first byte never waits
// for a slow query, and a section that fails says so in its place (the cause goes to the
// log) instead of failing the page.
func (c *Console) dashboard(w http.ResponseWriter, r *http.Request) error {
	t := c.pages["dashboard"]
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	bw := bufio.NewWriterSize(w, 8<<10)
	d := &dashboardData{c: c, ctx: r.Context(), p: principal(r), r: r, flush: func() {
		if bw.Flush() == nil {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
	}}
	if err := t.ExecuteTemplate(bw, "layout.html", newView(r, d)); err != nil {
		// Part of the page is out: the status is sent and nothing else can be shown.
		infoOf(r.Context()).err = err
		return nil
	}
	if err := bw.Flush(); err != nil {
		return nil // the client went away
	}
	return nil
}

// dashboardData is the dashboard's data: its sections are methods that wait for their
// queries, which start together once the page's head has been flushed.
type dashboardData struct {
	c     *Console
	ctx   context.Context
	p     auth.Principal
	r     *http.Request
	flush func()

	started  bool
	sections *future[overview]
	top      *future[controlsSection]
	reviews  *future[reviewsSection]
}

// future is a value computed concurrently.
type future[T any] struct {
	done chan struct{}
	v    T
}

func startFuture[T any](f func() T) *future[T] {
	x := &future[T]{done: make(chan struct{})}
	go func() {
		defer close(x.done)
		x.v = f()
	}()
	return x
}

func (x *future[T]) get() T {
	<-x.done
	return x.v
}

// Flush sends what the page has so far; the template calls it between sections. The
// first call then starts every section's queries, at once: the head goes out before any
// query, and the sections' queries overlap rather than add up.
func (d *dashboardData) Flush() string {
	d.flush()
	if !d.started {
		d.started = true
		d.sections = startFuture(d.overview)
		d.top = startFuture(d.topControls)
		d.reviews = startFuture(d.reviewsSection)
	}
	return ""
}

// Account returns the summary of the active assessments and their trend.
func (d *dashboardData) Account() accountSection { return d.sections.get().account }

// Assessments returns the insights of each of the first active assessments.
func (d *dashboardData) Assessments() assessmentsSection { return d.sections.get().assessments }

// Domains returns the evidence by control domain.
func (d *dashboardData) Domains() domainsSection { return d.sections.get().domains }

// TopControls returns the controls with the most non-compliant evidence.
func (d *dashboardData) TopControls() controlsSection { return d.top.get() }

// Reviews returns what waits for the caller's review.
func (d *dashboardData) Reviews() reviewsSection { return d.reviews.get() }

// failed logs a section's error once and returns the message the section shows.
func (d *dashboardData) failed(err error) string {
	switch probity.ErrorCode(err) {
	case probity.EUNAUTHORIZED, probity.ENOTFOUND:
		return probity.ErrorMessage(err)
	}
	d.c.log.ErrorContext(d.ctx, "console dashboard section", "path", d.r.URL.Path, "error", err)
	return "This section could not be read. The server's log has the details."
}

// accountSection is the account-wide summary and trend.
type accountSection struct {
	Summary *insights.Summary
	Chart   trendChart
	Err     string
}

// assessmentInsight is one active assessment's summary and trend, or why the caller
// does not see them.
type assessmentInsight struct {
	ID, Name string
	Summary  *insights.AssessmentSummary
	Chart    trendChart
	Err      string
}

// assessmentsSection lists the first active assessments with their insights.
type assessmentsSection struct {
	Items []assessmentInsight
	More  bool
	Err   string
}

// domainInsight is a domain's counts on the last day and its trend.
type domainInsight struct {
	insights.Domain
	Chart trendChart
}

// domainsSection is the evidence by control domain.
type domainsSection struct {
	Items []domainInsight
	Err   string
}

// overview is the sections made of insights.Overview: the account's, the first active
// assessments' and the domains'.
type overview struct {
	account     accountSection
	assessments assessmentsSection
	domains     domainsSection
}

// overview lists the first active assessments and computes the three sections from one
// insights.Overview, whose trends come from one grouped read of the aggregates.
func (d *dashboardData) overview() overview {
	var o overview
	as, err := d.c.cfg.Assess.List(d.ctx, d.p, probity.AssessmentActive, store.Cursor{}, dashboardAssessments+1)
	if err != nil {
		o.assessments.Err = d.failed(err)
		as = nil
	}
	if len(as) > dashboardAssessments {
		as, o.assessments.More = as[:dashboardAssessments], true
	}
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	ov, err := d.c.cfg.Insights.Overview(d.ctx, d.p, ids, trendDays)
	if err != nil {
		msg := d.failed(err)
		o.account.Err, o.domains.Err = msg, msg
		if o.assessments.Err == "" {
			o.assessments.Err = msg
		}
		return o
	}
	o.account = accountSection{Summary: ov.Summary, Chart: newTrendChart("trend-all", "Evidence of all active assessments by day", ov.Trend)}
	for i, a := range as {
		x := ov.Assessments[i]
		it := assessmentInsight{ID: a.ID, Name: a.Name}
		if x.Err != nil {
			it.Err = d.failed(x.Err)
		} else {
			it.Summary = x.Summary
			it.Chart = newTrendChart("trend-a"+strconv.Itoa(i), "Evidence of "+a.Name+" by day", x.Trend)
		}
		o.assessments.Items = append(o.assessments.Items, it)
	}
	o.domains = domainsOf(ov)
	return o
}

// domainsOf returns the domains of the active assessments' controls with their trends,
// those with the most non-compliant evidence on the last day first.
func domainsOf(ov *insights.Overview) domainsSection {
	var s domainsSection
	last := ov.Domains
	byName := map[string]insights.Domain{}
	for _, dm := range last {
		byName[dm.Name] = dm
	}
	rank := map[string]int{}
	for i, dm := range last {
		rank[dm.Name] = i + 1
	}
	pos := func(name string) int { return cmp.Or(rank[name], len(last)+1) }
	for i, t := range ov.DomainTrends {
		dm, ok := byName[t.Name]
		if !ok {
			dm = insights.Domain{ID: t.ID, Name: t.Name}
		}
		s.Items = append(s.Items, domainInsight{Domain: dm, Chart: newTrendChart("trend-d"+strconv.Itoa(i), "Evidence of domain "+t.Name+" by day", t.Days)})
	}
	// Ranked as the API ranks domains; domains without evidence on the last day after.
	slices.SortStableFunc(s.Items, func(a, b domainInsight) int { return cmp.Compare(pos(a.Name), pos(b.Name)) })
	return s
}

// controlsSection is the controls with the most non-compliant evidence.
type controlsSection struct {
	Items []insights.AssessmentControl
	Names map[string]string // assessment names by id
	Err   string
}

// topControls computes the assessment controls with the most non-compliant evidence on
// the last day.
func (d *dashboardData) topControls() controlsSection {
	var s controlsSection
	items, err := d.c.cfg.Insights.TopControls(d.ctx, d.p, "", topControls)
	if err != nil {
		s.Err = d.failed(err)
		return s
	}
	s.Items, s.Names = items, map[string]string{}
	if len(items) == 0 {
		return s
	}
	// The names from one list of the active assessments (whose controls these are), not
	// one read per assessment: Get also sums the assessment's evidence counters.
	as, err := d.c.cfg.Assess.List(d.ctx, d.p, probity.AssessmentActive, store.Cursor{}, topControls*10)
	if err != nil {
		s.Err = d.failed(err)
		return s
	}
	for _, a := range as {
		s.Names[a.ID] = a.Name
	}
	for _, it := range items {
		if s.Names[it.AssessmentID] == "" {
			s.Names[it.AssessmentID] = it.AssessmentID
		}
	}
	return s
}

// review is a control set waiting for the caller: delegated to it, or submitted for the
// review of an assessment it owns.
type review struct {
	AssessmentID, AssessmentName string
	ControlSetName               string
	Why                          string
}

// reviewsSection is what waits for the caller's review.
type reviewsSection struct {
	Items []review
	Err   string
}

// reviewsSection computes the control sets delegated to the caller that are still open, and the
// control sets under review of the active assessments it is a PROCESS_OWNER of.
func (d *dashboardData) reviewsSection() reviewsSection {
	var s reviewsSection
	ds, err := d.c.cfg.Assess.DelegationsTo(d.ctx, d.p, store.Cursor{}, dashboardReviews)
	if err != nil {
		s.Err = d.failed(err)
		return s
	}
	for _, dl := range ds {
		if dl.Open() {
			s.Items = append(s.Items, review{AssessmentID: dl.AssessmentID, AssessmentName: dl.AssessmentName,
				ControlSetName: dl.ControlSetName, Why: "Delegated to you"})
		}
	}
	as, err := d.c.cfg.Assess.List(d.ctx, d.p, probity.AssessmentActive, store.Cursor{}, dashboardReviews)
	if err != nil {
		s.Err = d.failed(err)
		return s
	}
	for _, a := range as {
		if !a.ProcessOwner(d.p.ARN) {
			continue
		}
		for _, set := range a.ControlSets {
			if set.Status == probity.ControlSetUnderReview {
				s.Items = append(s.Items, review{AssessmentID: a.ID, AssessmentName: a.Name, ControlSetName: set.Name,
					Why: "Submitted for your review"})
			}
		}
	}
	return s
}

// Sources returns the catalog sources' status, nil when this server runs none.
func (d *dashboardData) Sources() []pipeline.SourceStatus {
	if d.c.cfg.Sources == nil {
		return nil
	}
	return d.c.cfg.Sources()
}
