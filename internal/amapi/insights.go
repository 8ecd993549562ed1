package amapi

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"regexp"
	"time"

	"github.com/probity-dev/probity/internal/insights"
)

// The insights operations: decode, call internal/insights (the dashboard's code), page,
// encode. Their lists are ranked by non-compliant evidence, so a nextToken is a position
// in the ranking of the moment: a page read after the counts moved may repeat or skip.
const tokenInsights = 'i'

// controlDomainIDPattern is the model's ControlDomainId.
var controlDomainIDPattern = regexp.MustCompile(`^arn:.*:controlcatalog:.*:.*:domain/.*|UNCATEGORIZED|^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$`)

type evidenceInsightsWire struct {
	NoncompliantEvidenceCount int `json:"noncompliantEvidenceCount"`
	CompliantEvidenceCount    int `json:"compliantEvidenceCount"`
	InconclusiveEvidenceCount int `json:"inconclusiveEvidenceCount"`
}

func toEvidenceInsights(c insights.Counts) evidenceInsightsWire {
	return evidenceInsightsWire{NoncompliantEvidenceCount: c.NonCompliant, CompliantEvidenceCount: c.Compliant,
		InconclusiveEvidenceCount: c.Inconclusive}
}

// insightTime is lastUpdated: epoch seconds, absent when there is no evidence.
func insightTime(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

func (h *Handler) insights() *insights.Service {
	if h.cfg.Insights != nil {
		return h.cfg.Insights
	}
	return &insights.Service{Store: h.lib.Store, Now: h.cfg.Now}
}

func getInsights(ctx context.Context, h *Handler, c *call) (any, error) {
	s, err := h.insights().Account(ctx, c.caller)
	if err != nil {
		return nil, err
	}
	type out struct {
		ActiveAssessmentsCount                        int    `json:"activeAssessmentsCount"`
		NoncompliantEvidenceCount                     int    `json:"noncompliantEvidenceCount"`
		CompliantEvidenceCount                        int    `json:"compliantEvidenceCount"`
		InconclusiveEvidenceCount                     int    `json:"inconclusiveEvidenceCount"`
		AssessmentControlsCountByNoncompliantEvidence int    `json:"assessmentControlsCountByNoncompliantEvidence"`
		TotalAssessmentControlsCount                  int    `json:"totalAssessmentControlsCount"`
		LastUpdated                                   *epoch `json:"lastUpdated,omitempty"`
	}
	return struct {
		Insights out `json:"insights"`
	}{out{s.ActiveAssessments, s.NonCompliant, s.Compliant, s.Inconclusive, s.NonCompliantAssessmentControls,
		s.TotalAssessmentControls, insightTime(s.LastUpdated)}}, nil
}

func getInsightsByAssessment(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := assessmentID(c)
	if err != nil {
		return nil, err
	}
	s, err := h.insights().Assessment(ctx, c.caller, id)
	if err != nil {
		return nil, err
	}
	type out struct {
		NoncompliantEvidenceCount                     int    `json:"noncompliantEvidenceCount"`
		CompliantEvidenceCount                        int    `json:"compliantEvidenceCount"`
		InconclusiveEvidenceCount                     int    `json:"inconclusiveEvidenceCount"`
		AssessmentControlsCountByNoncompliantEvidence int    `json:"assessmentControlsCountByNoncompliantEvidence"`
		TotalAssessmentControlsCount                  int    `json:"totalAssessmentControlsCount"`
		LastUpdated                                   *epoch `json:"lastUpdated,omitempty"`
	}
	return struct {
		Insights out `json:"insights"`
	}{out{s.NonCompliant, s.Compliant, s.Inconclusive, s.NonCompliantControls, s.TotalControls, insightTime(s.LastUpdated)}}, nil
}

type domainInsightsWire struct {
	Name                                string               `json:"name"`
	ID                                  string               `json:"id"`
	ControlsCountByNoncompliantEvidence int                  `json:"controlsCountByNoncompliantEvidence"`
	TotalControlsCount                  int                  `json:"totalControlsCount"`
	EvidenceInsights                    evidenceInsightsWire `json:"evidenceInsights"`
	LastUpdated                         *epoch               `json:"lastUpdated,omitempty"`
}

func listControlDomainInsights(ctx context.Context, h *Handler, c *call) (any, error) {
	return controlDomainInsights(ctx, h, c, "")
}

func listControlDomainInsightsByAssessment(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := queryAssessmentID(c)
	if err != nil {
		return nil, err
	}
	return controlDomainInsights(ctx, h, c, id)
}

func controlDomainInsights(ctx context.Context, h *Handler, c *call, assessmentID string) (any, error) {
	limit, offset, err := c.insightPage()
	if err != nil {
		return nil, err
	}
	ds, err := h.insights().Domains(ctx, c.caller, assessmentID)
	if err != nil {
		return nil, err
	}
	page, next := pageOf(ds, offset, limit)
	resp := struct {
		ControlDomainInsights []domainInsightsWire `json:"controlDomainInsights"`
		NextToken             string               `json:"nextToken,omitempty"`
	}{ControlDomainInsights: make([]domainInsightsWire, 0, len(page)), NextToken: next}
	for _, d := range page {
		resp.ControlDomainInsights = append(resp.ControlDomainInsights, domainInsightsWire{Name: d.Name, ID: d.ID,
			ControlsCountByNoncompliantEvidence: d.NonCompliantControls, TotalControlsCount: d.TotalControls,
			EvidenceInsights: toEvidenceInsights(d.Counts), LastUpdated: insightTime(d.LastUpdated)})
	}
	return resp, nil
}

type controlInsightsWire struct {
	Name             string               `json:"name"`
	ID               string               `json:"id"`
	ControlSetName   string               `json:"controlSetName,omitempty"`
	EvidenceInsights evidenceInsightsWire `json:"evidenceInsights"`
	LastUpdated      *epoch               `json:"lastUpdated,omitempty"`
}

func listControlInsightsByControlDomain(ctx context.Context, h *Handler, c *call) (any, error) {
	cs, next, err := controlInsights(ctx, h, c, "")
	if err != nil {
		return nil, err
	}
	return struct {
		ControlInsightsMetadata []controlInsightsWire `json:"controlInsightsMetadata"`
		NextToken               string                `json:"nextToken,omitempty"`
	}{cs, next}, nil
}

func listAssessmentControlInsightsByControlDomain(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := queryAssessmentID(c)
	if err != nil {
		return nil, err
	}
	cs, next, err := controlInsights(ctx, h, c, id)
	if err != nil {
		return nil, err
	}
	return struct {
		ControlInsightsByAssessment []controlInsightsWire `json:"controlInsightsByAssessment"`
		NextToken                   string                `json:"nextToken,omitempty"`
	}{cs, next}, nil
}

func controlInsights(ctx context.Context, h *Handler, c *call, assessmentID string) ([]controlInsightsWire, string, error) {
	q := c.r.URL.Query()
	domain := q.Get("controlDomainId")
	switch {
	case !q.Has("controlDomainId"):
		return nil, "", invalidField("controlDomainId", "is required")
	case len(domain) < 13 || len(domain) > 2048 || !controlDomainIDPattern.MatchString(domain):
		return nil, "", invalidField("controlDomainId", "must be UNCATEGORIZED or a control domain id that ListControlDomainInsights returned")
	}
	limit, offset, err := c.insightPage()
	if err != nil {
		return nil, "", err
	}
	cs, err := h.insights().Controls(ctx, c.caller, assessmentID, domain)
	if err != nil {
		return nil, "", err
	}
	page, next := pageOf(cs, offset, limit)
	out := make([]controlInsightsWire, 0, len(page))
	for _, x := range page {
		out = append(out, controlInsightsWire{Name: x.Name, ID: x.ID, ControlSetName: x.ControlSetName,
			EvidenceInsights: toEvidenceInsights(x.Counts), LastUpdated: insightTime(x.LastUpdated)})
	}
	return out, next, nil
}

// queryAssessmentID returns the required assessmentId query member, or a
// ValidationException.
func queryAssessmentID(c *call) (string, error) {
	q := c.r.URL.Query()
	if !q.Has("assessmentId") {
		return "", invalidField("assessmentId", "is required")
	}
	id := q.Get("assessmentId")
	return id, checkUUID("assessmentId", id)
}

// insightPage returns maxResults (or the default) and the position that nextToken names,
// or a ValidationException.
func (c *call) insightPage() (int, int, error) {
	limit, err := c.maxResults()
	if err != nil {
		return 0, 0, err
	}
	q := c.r.URL.Query()
	if !q.Has("nextToken") {
		return limit, 0, nil
	}
	tok := q.Get("nextToken")
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(b) != 9 || b[0] != tokenInsights || !tokenPattern.MatchString(tok) {
		return 0, 0, invalidField("nextToken", "is not a token this listing returned")
	}
	off := binary.BigEndian.Uint64(b[1:])
	if off == 0 || off > 1<<31 || insightToken(int(off)) != tok {
		return 0, 0, invalidField("nextToken", "is not a token this listing returned")
	}
	return limit, int(off), nil
}

func insightToken(offset int) string {
	b := make([]byte, 9)
	b[0] = tokenInsights
	binary.BigEndian.PutUint64(b[1:], uint64(offset))
	return base64.StdEncoding.EncodeToString(b)
}

// pageOf returns the page of limit items from offset, and the token of the next page
// ("" when this is the last).
func pageOf[T any](items []T, offset, limit int) ([]T, string) {
	if offset >= len(items) {
		return nil, ""
	}
	end := min(offset+limit, len(items))
	if end < len(items) {
		return items[offset:end], insightToken(end)
	}
	return items[offset:end], ""
}
