package insights

import (
	"context"
	"time"

	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// Overview is the insights the console's dashboard shows, each equal to what the
// method named beside it returns for the same caller and moment.
type Overview struct {
	Summary      *Summary             // Account
	Trend        []Day                // Trend(p, "", "", n)
	Domains      []Domain             // Domains(p, "")
	DomainTrends []DomainTrend        // TrendByDomain(p, "", n)
	Assessments  []AssessmentOverview // of the ids asked, in their order
}

// AssessmentOverview is one assessment's Assessment and Trend(p, id, "", n), or Err,
// the error Assessment returns (ENOTFOUND, EUNAUTHORIZED, or a store failure).
type AssessmentOverview struct {
	ID      string
	Summary *AssessmentSummary
	Trend   []Day
	Err     error
}

// Overview returns the account's summary, trend, domains and domain trends, and the
// summary and trend of each assessment with the ids, over trends of n days ending today.
//
// It reads the aggregates of the n days once, summed by assessment and domain, and
// derives every trend from that read, instead of one read per trend: the account's,
// each domain's, and each ACTIVE assessment's that the caller sees whole (an admin key
// or a PROCESS_OWNER). The rest (an assessment narrowed to a delegate's control sets, or
// one that is not ACTIVE) are read one by one as Assessment and Trend read them. It
// returns an error only when an account-wide read fails; an assessment's error is in
// its AssessmentOverview.
func (s *Service) Overview(ctx context.Context, p auth.Principal, ids []string, n int) (*Overview, error) {
	sc := store.InsightScope{AccountID: p.AccountID}
	from, to := s.window(n)
	rows, err := s.Store.InsightDays(ctx, sc, store.ByAssessment|store.ByDomain, from, to)
	if err != nil {
		return nil, err
	}
	byAssessment, err := s.Store.InsightTotals(ctx, sc, store.ByAssessment)
	if err != nil {
		return nil, err
	}
	byDomain, err := s.Store.InsightTotals(ctx, sc, store.ByDomain)
	if err != nil {
		return nil, err
	}
	o := &Overview{Summary: &Summary{}}
	total := map[string]store.InsightTotal{}
	for _, t := range byAssessment {
		total[t.AssessmentID] = t
		o.Summary.ActiveAssessments++
		o.Summary.TotalAssessmentControls += t.AssessmentControls
	}

	// The account: its last day is the latest in the window when the window has
	// evidence (it ends today), else whatever InsightLastDay finds before it.
	var last time.Time
	if len(rows) > 0 {
		last = rows[len(rows)-1].Date
	} else if last, err = s.Store.InsightLastDay(ctx, sc, s.today()); err != nil {
		return nil, err
	}
	o.Trend = series(from, n, sumBy(rows, func(store.InsightDay) string { return "" })[""])
	perDomain := sumBy(rows, func(d store.InsightDay) string { return d.Domain })
	for _, t := range byDomain {
		o.DomainTrends = append(o.DomainTrends, DomainTrend{ID: DomainID(t.Domain), Name: t.Domain, Days: series(from, n, perDomain[t.Domain])})
	}
	if !last.IsZero() {
		// A domain's distinct non-compliant controls do not add up over assessments:
		// the last day is read again, by domain (one day's rows).
		days, err := s.Store.InsightDays(ctx, sc, store.ByDomain, last, last)
		if err != nil {
			return nil, err
		}
		o.Domains = domains(last, days, byDomain)
		if len(days) > 0 {
			o.Summary.LastUpdated = last
		}
		for _, d := range days {
			o.Summary.Compliant += d.Compliant
			o.Summary.NonCompliant += d.NonCompliant
			o.Summary.Inconclusive += d.Inconclusive
			o.Summary.NonCompliantAssessmentControls += d.NonCompliantAssessmentControls
		}
	}

	perAssessment := sumBy(rows, func(d store.InsightDay) string { return d.AssessmentID })
	for _, id := range ids {
		o.Assessments = append(o.Assessments, s.assessmentOverview(ctx, p, id, n, from, total, perAssessment[id]))
	}
	return o, nil
}

// assessmentOverview returns the assessment's summary and trend: from its rows of the
// window (summed by day) when the caller sees it whole and it is among the active ones
// (total), else as Assessment and Trend compute them.
func (s *Service) assessmentOverview(ctx context.Context, p auth.Principal, id string, n int, from time.Time,
	total map[string]store.InsightTotal, days []store.InsightDay) AssessmentOverview {
	out := AssessmentOverview{ID: id}
	sc, err := s.scope(ctx, p, id)
	if err != nil {
		out.Err = err
		return out
	}
	t, active := total[id]
	if sc.ControlSetIDs != nil || !active || len(days) == 0 {
		if out.Summary, out.Err = s.Assessment(ctx, p, id); out.Err == nil {
			out.Trend, out.Err = s.Trend(ctx, p, id, "", n)
		}
		if out.Err != nil {
			out.Summary, out.Trend = nil, nil
		}
		return out
	}
	lastDay := days[len(days)-1]
	out.Summary = &AssessmentSummary{AssessmentID: id, Counts: counts(lastDay), NonCompliantControls: lastDay.NonCompliantAssessmentControls,
		TotalControls: t.AssessmentControls, LastUpdated: lastDay.Date}
	out.Trend = series(from, n, days)
	return out
}

// sumBy sums rows (ordered by day) by day within each key, keeping the day order; of
// the counts it keeps those that add up over the rows summed: evidence, and assessment
// controls (each is in one assessment and one domain).
func sumBy(rows []store.InsightDay, key func(store.InsightDay) string) map[string][]store.InsightDay {
	out := map[string][]store.InsightDay{}
	for _, r := range rows {
		k := key(r)
		ds := out[k]
		if len(ds) == 0 || !ds[len(ds)-1].Date.Equal(r.Date) {
			ds = append(ds, store.InsightDay{Date: r.Date})
		}
		d := &ds[len(ds)-1]
		d.Compliant += r.Compliant
		d.NonCompliant += r.NonCompliant
		d.Inconclusive += r.Inconclusive
		d.AssessmentControls += r.AssessmentControls
		d.NonCompliantAssessmentControls += r.NonCompliantAssessmentControls
		out[k] = ds
	}
	return out
}
