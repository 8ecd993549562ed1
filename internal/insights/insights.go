// Package insights computes Audit Manager's insights, and the console's dashboard, from
// the daily evidence aggregates of the ledger (store.InsightReader): never from the
// evidence itself, so that a call costs the same at a thousand or a million items.
//
// Semantics, as Audit Manager documents them:
//   - The counts are daily counts of one day, the lastUpdated date: the latest UTC day (up
//     to today) on which the assessments in question collected evidence. They are not
//     sums to date. With no evidence at all, every count is zero and LastUpdated is zero.
//   - Account-wide insights cover the account's ACTIVE assessments. The per-assessment
//     ones cover one assessment of any status: evidence that an assessment collected
//     before it became INACTIVE still counts. A deleted assessment counts nowhere.
//   - Compliant and non-compliant are compliance checks that passed or failed;
//     inconclusive is every other evidence (no check, or not applicable).
//   - A control "collected non-compliant evidence" when it has at least one
//     non-compliant evidence on the lastUpdated date. Account-wide, the summary counts
//     assessment controls (a control in two assessments counts twice); a domain counts
//     its distinct controls.
//   - A domain is listed only when one of its controls collected evidence on the
//     lastUpdated date; a control likewise. Both are ranked by their non-compliant count,
//     highest first, then by name.
//
// Access: account-wide insights are for anyone who may read the account. The
// per-assessment ones follow probity.Assessment.Authorize's rule for reading evidence:
// an admin key and the assessment's PROCESS_OWNERs see every control; a delegate sees the
// controls of the control sets delegated to it (each control counted under the first
// control set that holds it); anyone else gets EUNAUTHORIZED. Another account's
// assessment is ENOTFOUND.
package insights

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// Service computes insights. Store is required; Now defaults to time.Now. Its methods
// are safe for concurrent use.
type Service struct {
	Store store.Reader
	Now   func() time.Time
}

// Counts is evidence by compliance check result.
type Counts struct {
	Compliant, NonCompliant, Inconclusive int
}

// Total returns the evidence counted.
func (c Counts) Total() int { return c.Compliant + c.NonCompliant + c.Inconclusive }

// Summary is the insights of the account's active assessments on LastUpdated
// (Audit Manager's Insights).
type Summary struct {
	ActiveAssessments int
	Counts
	// NonCompliantAssessmentControls counts the assessment controls with non-compliant
	// evidence on LastUpdated; TotalAssessmentControls every control of every active
	// assessment.
	NonCompliantAssessmentControls int
	TotalAssessmentControls        int
	LastUpdated                    time.Time // the day of the counts; zero for none
}

// AssessmentSummary is the insights of one assessment on LastUpdated (Audit Manager's
// InsightsByAssessment).
type AssessmentSummary struct {
	AssessmentID string
	Counts
	NonCompliantControls int // controls with non-compliant evidence on LastUpdated
	TotalControls        int // the assessment's controls (that the caller sees)
	LastUpdated          time.Time
}

// Domain is the insights of one control domain on LastUpdated (Audit Manager's
// ControlDomainInsights).
type Domain struct {
	ID, Name             string // see DomainID
	NonCompliantControls int    // the domain's controls with non-compliant evidence
	TotalControls        int    // the domain's controls, with evidence or not
	Counts
	LastUpdated time.Time
}

// Control is the insights of one control on LastUpdated: across the active assessments
// (Audit Manager's ControlInsightsMetadataItem), or in one assessment, where
// ControlSetName names its control set (ControlInsightsMetadataByAssessmentItem).
type Control struct {
	ID, Name       string
	ControlSetName string
	Counts
	LastUpdated time.Time
}

// AssessmentControl is an assessment's control with its counts on one day, as the
// dashboard's "controls with the most non-compliant evidence" lists it.
type AssessmentControl struct {
	AssessmentID, ControlID      string
	ControlSetID, ControlSetName string
	Name, Domain                 string
	Counts
}

// Day is the evidence of one UTC day.
type Day struct {
	Date time.Time // midnight UTC
	Counts
}

// DomainTrend is a domain's evidence by day.
type DomainTrend struct {
	ID, Name string
	Days     []Day
}

// UncategorizedID is the id of the domain of controls that have none.
const UncategorizedID = "UNCATEGORIZED"

// DomainID returns the id of the domain with the name: UncategorizedID for
// probity.DomainUncategorized (or ""), else a UUID-shaped id derived from the name, so
// the same name has the same id in every account and release.
func DomainID(name string) string {
	if name == "" || name == probity.DomainUncategorized {
		return UncategorizedID
	}
	return probity.DerivedID("control-domain", name)
}

func (s *Service) today() time.Time {
	if s.Now != nil {
		return probity.Day(s.Now())
	}
	return probity.Day(time.Now())
}

// scope returns the store scope of the caller's insights: account-wide when
// assessmentID is empty, else of that assessment as far as the caller may read it.
func (s *Service) scope(ctx context.Context, p auth.Principal, assessmentID string) (store.InsightScope, error) {
	sc := store.InsightScope{AccountID: p.AccountID, AssessmentID: assessmentID}
	if assessmentID == "" {
		return sc, nil
	}
	a, err := s.Store.AssessmentAccess(ctx, p.AccountID, assessmentID)
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return sc, probity.NotFound("assessment", assessmentID)
	}
	if err != nil {
		return sc, err
	}
	who := probity.Actor{ARN: p.ARN, Admin: p.Level == auth.Admin}
	if who.Admin || a.ProcessOwner(who.ARN) {
		return sc, nil
	}
	sets := a.DelegatedSets(who.ARN)
	if len(sets) == 0 {
		// Authorize words the refusal.
		return sc, a.Authorize(who, probity.ReadEvidence, "", "")
	}
	sc.ControlSetIDs = make([]string, 0, len(sets))
	for id := range sets {
		sc.ControlSetIDs = append(sc.ControlSetIDs, id)
	}
	slices.Sort(sc.ControlSetIDs)
	return sc, nil
}

// LastUpdated returns the lastUpdated date of the caller's insights: account-wide when
// assessmentID is empty, else of the assessment. It is zero when there is no evidence.
// It returns ENOTFOUND for an assessment the caller does not see and EUNAUTHORIZED when
// it may not read it.
func (s *Service) LastUpdated(ctx context.Context, p auth.Principal, assessmentID string) (time.Time, error) {
	sc, err := s.scope(ctx, p, assessmentID)
	if err != nil {
		return time.Time{}, err
	}
	return s.Store.InsightLastDay(ctx, sc, s.today())
}

// Account returns the insights of the caller's account's active assessments.
func (s *Service) Account(ctx context.Context, p auth.Principal) (*Summary, error) {
	sc := store.InsightScope{AccountID: p.AccountID}
	out := &Summary{}
	totals, err := s.Store.InsightTotals(ctx, sc, 0)
	if err != nil {
		return nil, err
	}
	if len(totals) > 0 {
		out.ActiveAssessments, out.TotalAssessmentControls = totals[0].Assessments, totals[0].AssessmentControls
	}
	day, days, err := s.lastDay(ctx, sc, 0)
	if err != nil || len(days) == 0 {
		return out, err
	}
	out.LastUpdated, out.Counts = day, counts(days[0])
	out.NonCompliantAssessmentControls = days[0].NonCompliantAssessmentControls
	return out, nil
}

// Assessment returns the insights of the caller's assessment with the id. It returns
// ENOTFOUND for an assessment the caller does not see and EUNAUTHORIZED when it may not
// read it.
func (s *Service) Assessment(ctx context.Context, p auth.Principal, assessmentID string) (*AssessmentSummary, error) {
	sc, err := s.scope(ctx, p, assessmentID)
	if err != nil {
		return nil, err
	}
	out := &AssessmentSummary{AssessmentID: assessmentID}
	totals, err := s.Store.InsightTotals(ctx, sc, 0)
	if err != nil {
		return nil, err
	}
	if len(totals) > 0 {
		out.TotalControls = totals[0].AssessmentControls
	}
	day, days, err := s.lastDay(ctx, sc, 0)
	if err != nil || len(days) == 0 {
		return out, err
	}
	out.LastUpdated, out.Counts = day, counts(days[0])
	out.NonCompliantControls = days[0].NonCompliantAssessmentControls
	return out, nil
}

// Domains returns the insights of the domains whose controls collected evidence on the
// lastUpdated date, ranked: account-wide when assessmentID is empty, else of the
// assessment (ENOTFOUND, EUNAUTHORIZED as Assessment).
func (s *Service) Domains(ctx context.Context, p auth.Principal, assessmentID string) ([]Domain, error) {
	sc, err := s.scope(ctx, p, assessmentID)
	if err != nil {
		return nil, err
	}
	day, days, err := s.lastDay(ctx, sc, store.ByDomain)
	if err != nil || len(days) == 0 {
		return nil, err
	}
	totals, err := s.Store.InsightTotals(ctx, sc, store.ByDomain)
	if err != nil {
		return nil, err
	}
	return domains(day, days, totals), nil
}

// domains returns the domains of day's sums by domain, with their totals, ranked.
func domains(day time.Time, days []store.InsightDay, totals []store.InsightTotal) []Domain {
	total := map[string]int{}
	for _, t := range totals {
		total[t.Domain] = t.Controls
	}
	out := make([]Domain, 0, len(days))
	for _, d := range days {
		out = append(out, Domain{ID: DomainID(d.Domain), Name: d.Domain, NonCompliantControls: d.NonCompliantControls,
			TotalControls: total[d.Domain], Counts: counts(d), LastUpdated: day})
	}
	slices.SortFunc(out, func(a, b Domain) int {
		return cmp.Or(cmp.Compare(b.NonCompliant, a.NonCompliant), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// Controls returns the insights of the controls of the domain with the id that collected
// evidence on the lastUpdated date, ranked: across the active assessments when
// assessmentID is empty, else in the assessment. It returns ENOTFOUND when no control of
// the scope is in the domain, and for the assessment as Assessment does.
func (s *Service) Controls(ctx context.Context, p auth.Principal, assessmentID, domainID string) ([]Control, error) {
	sc, err := s.scope(ctx, p, assessmentID)
	if err != nil {
		return nil, err
	}
	if sc.Domain, err = s.domainName(ctx, sc, domainID); err != nil {
		return nil, err
	}
	day, days, err := s.lastDay(ctx, sc, store.ByControl)
	if err != nil || len(days) == 0 {
		return nil, err
	}
	ids := make([]string, len(days))
	for i, d := range days {
		ids[i] = d.ControlID
	}
	names, err := s.Store.InsightControls(ctx, sc, ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]store.InsightControl{}
	for _, c := range names {
		if _, ok := byID[c.ControlID]; !ok {
			byID[c.ControlID] = c
		}
	}
	out := make([]Control, 0, len(days))
	for _, d := range days {
		c := Control{ID: d.ControlID, Name: byID[d.ControlID].Name, Counts: counts(d), LastUpdated: day}
		if assessmentID != "" {
			c.ControlSetName = byID[d.ControlID].ControlSetName
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Control) int {
		return cmp.Or(cmp.Compare(b.NonCompliant, a.NonCompliant), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// TopControls returns up to n assessment controls with the most non-compliant evidence
// on the lastUpdated date (only those with some), highest first: across the active
// assessments when assessmentID is empty, else of the assessment (ENOTFOUND,
// EUNAUTHORIZED as Assessment).
func (s *Service) TopControls(ctx context.Context, p auth.Principal, assessmentID string, n int) ([]AssessmentControl, error) {
	sc, err := s.scope(ctx, p, assessmentID)
	if err != nil {
		return nil, err
	}
	_, days, err := s.lastDay(ctx, sc, store.ByAssessment|store.ByControl)
	if err != nil {
		return nil, err
	}
	days = slices.DeleteFunc(days, func(d store.InsightDay) bool { return d.NonCompliant == 0 })
	slices.SortStableFunc(days, func(a, b store.InsightDay) int { return cmp.Compare(b.NonCompliant, a.NonCompliant) })
	days = days[:min(len(days), max(n, 0))]
	if len(days) == 0 {
		return nil, nil
	}
	ids := make([]string, len(days))
	for i, d := range days {
		ids[i] = d.ControlID
	}
	names, err := s.Store.InsightControls(ctx, sc, ids)
	if err != nil {
		return nil, err
	}
	type key struct{ a, c string }
	byKey := map[key]store.InsightControl{}
	for _, c := range names {
		byKey[key{c.AssessmentID, c.ControlID}] = c
	}
	out := make([]AssessmentControl, len(days))
	for i, d := range days {
		c := byKey[key{d.AssessmentID, d.ControlID}]
		out[i] = AssessmentControl{AssessmentID: d.AssessmentID, ControlID: d.ControlID, ControlSetID: c.ControlSetID,
			ControlSetName: c.ControlSetName, Name: c.Name, Domain: c.Domain, Counts: counts(d)}
	}
	return out, nil
}

// Trend returns the evidence of each of the last n UTC days up to today, oldest first,
// days without evidence included as zeros: account-wide when assessmentID is empty, else
// of the assessment; of the domain with the id when domainID is set (ENOTFOUND when no
// control of the scope is in it).
func (s *Service) Trend(ctx context.Context, p auth.Principal, assessmentID, domainID string, n int) ([]Day, error) {
	sc, err := s.scope(ctx, p, assessmentID)
	if err != nil {
		return nil, err
	}
	if domainID != "" {
		if sc.Domain, err = s.domainName(ctx, sc, domainID); err != nil {
			return nil, err
		}
	}
	from, to := s.window(n)
	days, err := s.Store.InsightDays(ctx, sc, 0, from, to)
	if err != nil {
		return nil, err
	}
	return series(from, n, days), nil
}

// TrendByDomain returns Trend's days for every domain of the scope's controls, by name.
func (s *Service) TrendByDomain(ctx context.Context, p auth.Principal, assessmentID string, n int) ([]DomainTrend, error) {
	sc, err := s.scope(ctx, p, assessmentID)
	if err != nil {
		return nil, err
	}
	totals, err := s.Store.InsightTotals(ctx, sc, store.ByDomain)
	if err != nil {
		return nil, err
	}
	from, to := s.window(n)
	days, err := s.Store.InsightDays(ctx, sc, store.ByDomain, from, to)
	if err != nil {
		return nil, err
	}
	byDomain := map[string][]store.InsightDay{}
	for _, d := range days {
		byDomain[d.Domain] = append(byDomain[d.Domain], d)
	}
	out := make([]DomainTrend, 0, len(totals))
	for _, t := range totals {
		out = append(out, DomainTrend{ID: DomainID(t.Domain), Name: t.Domain, Days: series(from, n, byDomain[t.Domain])})
	}
	return out, nil
}

// MaxTrendDays bounds the days of a trend.
const MaxTrendDays = 366

// window returns the first and last day of a trend of n days ending today.
func (s *Service) window(n int) (time.Time, time.Time) {
	to := s.today()
	return to.AddDate(0, 0, 1-clampDays(n)), to
}

func clampDays(n int) int { return min(max(n, 1), MaxTrendDays) }

// series lays days (ordered by day) over the n days from from, zeros where none.
func series(from time.Time, n int, days []store.InsightDay) []Day {
	n = clampDays(n)
	out := make([]Day, n)
	for i := range out {
		out[i].Date = from.AddDate(0, 0, i)
	}
	for _, d := range days {
		if i := int(d.Date.Sub(from) / (24 * time.Hour)); i >= 0 && i < n {
			out[i].Counts = counts(d)
		}
	}
	return out
}

// lastDay returns the scope's lastUpdated date and its sums grouped by g that day.
func (s *Service) lastDay(ctx context.Context, sc store.InsightScope, g store.InsightGroup) (time.Time, []store.InsightDay, error) {
	day, err := s.Store.InsightLastDay(ctx, sc, s.today())
	if err != nil || day.IsZero() {
		return day, nil, err
	}
	days, err := s.Store.InsightDays(ctx, sc, g, day, day)
	return day, days, err
}

// domainName returns the name of the domain with the id among the scope's controls, or
// ENOTFOUND.
func (s *Service) domainName(ctx context.Context, sc store.InsightScope, id string) (string, error) {
	if id == UncategorizedID {
		sc.Domain = probity.DomainUncategorized
	}
	totals, err := s.Store.InsightTotals(ctx, sc, store.ByDomain)
	if err != nil {
		return "", err
	}
	for _, t := range totals {
		if DomainID(t.Domain) == id {
			return t.Domain, nil
		}
	}
	return "", probity.NotFound("control domain", id)
}

func counts(d store.InsightDay) Counts {
	return Counts{Compliant: d.Compliant, NonCompliant: d.NonCompliant, Inconclusive: d.Inconclusive}
}
