package oscal

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/probity-dev/probity"
)

// Version is the OSCAL version of the documents Probity writes.
const Version = "1.1.3"

// Namespace is the ns of the properties Probity adds to OSCAL documents.
const Namespace = "https://github.com/probity-dev/probity/ns/oscal"

// ResultsInput is what WriteAssessmentResults reports on.
type ResultsInput struct {
	// Assessment is the assessment, with its control sets, controls, review status and
	// reviewers' comments.
	Assessment probity.Assessment
	// Evidence calls fn with each evidence of one control of one control set, in ledger
	// order. WriteAssessmentResults calls it twice per control (for the observations,
	// then for the findings) and relies on both calls giving the same evidence, so it
	// should read from one store View (LedgerEvidence does). fn's error stops it and must
	// be returned unchanged.
	Evidence func(ctx context.Context, controlSetID, controlID string, fn func(*probity.Evidence) error) error
	// At is the document's time: its metadata's last-modified.
	At time.Time
	// Tool is the version of Probity that writes the document, recorded in its metadata.
	Tool string
}

// WriteAssessmentResults streams an OSCAL assessment-results document (JSON) of in to w:
// one result for the assessment, an observation per evidence, and a finding per control
// of each control set, with the control's review status, its evidence's compliance and
// its reviewers' comments. Memory stays flat: the evidence is read as it is written. Ids
// are derived (from the assessment, the evidence and the controls), so two exports of the
// same state differ only in At. It returns the first error of the evidence or of w.
func WriteAssessmentResults(ctx context.Context, w io.Writer, in ResultsInput) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	a := &in.Assessment
	rw := &resultsWriter{w: bw}
	rw.raw(`{"assessment-results":{"uuid":`)
	rw.value(probity.DerivedID("oscal-assessment-results", a.AccountID, a.ID, in.At.UTC().Format(time.RFC3339Nano)))
	rw.raw(`,"metadata":`)
	rw.value(metadata{Title: line(a.Name, "Assessment "+a.ID), LastModified: stamp(in.At), Version: stamp(a.LastUpdatedAt),
		OSCALVersion: Version, Props: props(prop("tool", "Probity "+in.Tool))})
	rw.raw(`,"import-ap":`)
	rw.value(map[string]string{"href": importHref(a), "remarks": "Probity keeps no OSCAL assessment plan: the assessment itself is the plan."})
	rw.raw(`,"results":[`)
	res := result{UUID: probity.DerivedID("oscal-result", a.AccountID, a.ID), Title: line(a.Name, "Assessment "+a.ID),
		Description: resultDescription(a), Start: stamp(a.CreatedAt),
		Props: props(prop("assessment-id", a.ID), prop("assessment-status", string(a.Status)),
			prop("framework-id", a.Framework.ID), prop("framework-name", a.Framework.Name))}
	if a.Status == probity.AssessmentInactive {
		res.End = stamp(a.LastUpdatedAt)
	}
	res.ReviewedControls.Description = "The controls of every control set of the assessment's framework."
	res.ReviewedControls.ControlSelections = []map[string]any{{"include-all": map[string]any{}}}
	b, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("oscal: encode result: %w", err)
	}
	rw.raw(string(b[:len(b)-1])) // the result stays open for its observations and findings

	first := true
	for _, cs := range a.ControlSets {
		for _, c := range cs.Controls {
			err := in.Evidence(ctx, cs.ID, c.ID, func(e *probity.Evidence) error {
				if first {
					rw.raw(`,"observations":[`)
					first = false
				} else {
					rw.raw(",")
				}
				rw.value(toObservation(e))
				return rw.err
			})
			if err != nil {
				return fmt.Errorf("oscal: evidence of control %s: %w", c.ID, err)
			}
		}
	}
	if !first {
		rw.raw("]")
	}
	first = true
	for _, cs := range a.ControlSets {
		for _, c := range cs.Controls {
			if first {
				rw.raw(`,"findings":[`)
				first = false
			} else {
				rw.raw(",")
			}
			if err := rw.finding(ctx, &in, &cs, &c); err != nil {
				return err
			}
		}
	}
	if !first {
		rw.raw("]")
	}
	rw.raw("}]}}\n")
	if rw.err != nil {
		return fmt.Errorf("oscal: write: %w", rw.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("oscal: write: %w", err)
	}
	return nil
}

// finding writes the finding of one control: its related observations as the control's
// evidence is read, then the target's status, which that evidence decides.
func (rw *resultsWriter) finding(ctx context.Context, in *ResultsInput, cs *probity.AssessmentControlSet, c *probity.AssessmentControl) error {
	a := &in.Assessment
	rw.raw(`{"uuid":`)
	rw.value(probity.DerivedID("oscal-finding", a.AccountID, a.ID, cs.ID, c.ID))
	rw.raw(`,"title":`)
	rw.value(line(c.Name, "Control "+c.ID))
	rw.raw(`,"description":`)
	rw.value(findingDescription(cs, c))
	var compliant, nonCompliant, inconclusive int
	first := true
	err := in.Evidence(ctx, cs.ID, c.ID, func(e *probity.Evidence) error {
		switch e.Compliance() {
		case 1:
			compliant++
		case -1:
			nonCompliant++
		default:
			inconclusive++
		}
		if first {
			rw.raw(`,"related-observations":[`)
			first = false
		} else {
			rw.raw(",")
		}
		rw.value(map[string]string{"observation-uuid": observationUUID(e)})
		return rw.err
	})
	if err != nil {
		return fmt.Errorf("oscal: evidence of control %s: %w", c.ID, err)
	}
	if !first {
		rw.raw("]")
	}
	t := target{Type: "objective-id", TargetID: ControlToken(c.ID)}
	switch {
	case nonCompliant > 0:
		t.Status.State, t.Status.Reason = "not-satisfied", "fail"
		t.Status.Remarks = fmt.Sprintf("%d of the control's compliance checks found a resource non-compliant.", nonCompliant)
	case compliant > 0:
		t.Status.State, t.Status.Reason = "satisfied", "pass"
		t.Status.Remarks = fmt.Sprintf("Every one of the control's %d conclusive compliance checks found its resources compliant.", compliant)
	default:
		t.Status.State, t.Status.Reason = "not-satisfied", "other"
		t.Status.Remarks = "The control has no conclusive compliance check evidence."
	}
	rw.raw(`,"target":`)
	rw.value(t)
	rw.raw(`,"props":`)
	rw.value(props(prop("control-id", c.ID), prop("control-set-id", cs.ID), prop("control-set-name", cs.Name),
		prop("review-status", string(c.Status)), prop("response", c.Response),
		prop("evidence-compliant", strconv.Itoa(compliant)), prop("evidence-non-compliant", strconv.Itoa(nonCompliant)),
		prop("evidence-inconclusive", strconv.Itoa(inconclusive))))
	if r := comments(c.Comments); r != "" {
		rw.raw(`,"remarks":`)
		rw.value(r)
	}
	rw.raw("}")
	return rw.err
}

// ControlToken returns the OSCAL token that names an assessment control in findings'
// targets: "control-" and the control's id (OSCAL tokens may not start with a digit).
func ControlToken(controlID string) string { return "control-" + controlID }

// observationUUID returns the observation uuid of the evidence, derived from its id.
func observationUUID(e *probity.Evidence) string {
	return probity.DerivedID("oscal-observation", e.AccountID, e.AssessmentID, e.ID)
}

func toObservation(e *probity.Evidence) observation {
	o := observation{UUID: observationUUID(e), Title: line(e.DataSource, "Evidence "+e.ID), Collected: stamp(e.Time),
		Methods: []string{"TEST"}}
	kind := e.EvidenceByType
	if kind == "" {
		kind = "Evidence"
	}
	o.Description = fmt.Sprintf("%s from %s for control %s.", kind, e.DataSource, e.ControlName)
	if e.EvidenceByType == probity.EvidenceTypeManual {
		o.Methods = []string{"EXAMINE"}
	}
	ps := []property{prop("evidence-id", e.ID), prop("ledger-sequence", strconv.FormatInt(e.Sequence, 10)), prop("ledger-hash", e.Hash),
		prop("control-set-id", e.ControlSetID), prop("control-id", e.ControlID), prop("data-source", e.DataSource),
		prop("evidence-type", e.EvidenceByType), prop("compliance-check", e.ComplianceCheck),
		prop("aws-account-id", e.EvidenceAWSAccountID), prop("event-source", e.EventSource), prop("event-name", e.EventName),
		prop("iam-id", e.IAMID)}
	for _, k := range slices.Sorted(maps.Keys(e.Attributes)) {
		ps = append(ps, prop("attribute", k+": "+e.Attributes[k]))
	}
	o.Props = props(ps...)
	for _, r := range e.ResourcesIncluded {
		d := "Resource " + r.ARN
		if r.ARN == "" {
			d = "Resource " + r.Value
		}
		if r.ComplianceCheck != "" {
			d += " (" + r.ComplianceCheck + ")"
		}
		o.RelevantEvidence = append(o.RelevantEvidence, relevantEvidence{Description: d})
	}
	for _, b := range e.Blobs {
		o.RelevantEvidence = append(o.RelevantEvidence, relevantEvidence{Description: "File with SHA-256 " + b + " in the evidence store"})
	}
	return o
}

func resultDescription(a *probity.Assessment) string {
	d := "Assessment " + a.ID + " of framework " + a.Framework.Name + "."
	if s := strings.TrimSpace(a.Description); s != "" {
		d += "\n\n" + s
	}
	return d
}

func findingDescription(cs *probity.AssessmentControlSet, c *probity.AssessmentControl) string {
	d := "Control " + c.ID + " of control set " + cs.Name + ", review status " + string(c.Status) + "."
	if s := strings.TrimSpace(c.Description); s != "" {
		d += "\n\n" + s
	}
	return d
}

// comments returns the reviewers' comments as remarks, one paragraph each, oldest first.
func comments(cs []probity.ControlComment) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, "%s, %s: %s", c.AuthorName, c.PostedAt.UTC().Format(time.RFC3339), c.Body)
	}
	return b.String()
}

// importHref returns the href of the (absent) assessment plan: the assessment's ARN when
// it has one, else a fragment naming it.
func importHref(a *probity.Assessment) string {
	if a.ARN != "" && !strings.ContainsAny(a.ARN, " \"<>\\^`{|}") {
		return a.ARN
	}
	return "#assessment-" + a.ID
}

// stamp formats t as an OSCAL date-time with a time zone (UTC).
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// line returns s as an OSCAL string, one line with no space at either end: runs of white
// space become one space. It returns fallback when nothing is left.
func line(s, fallback string) string {
	if s = strings.Join(strings.Fields(s), " "); s == "" {
		return fallback
	}
	return s
}

// prop returns the Probity property with the name; props drops the ones whose value is
// empty once made one line.
func prop(name, value string) property {
	return property{Name: name, NS: Namespace, Value: strings.Join(strings.Fields(value), " ")}
}

func props(ps ...property) []property {
	out := ps[:0:0]
	for _, p := range ps {
		if p.Value != "" {
			out = append(out, p)
		}
	}
	return out
}

type resultsWriter struct {
	w   *bufio.Writer
	err error
}

func (rw *resultsWriter) raw(s string) {
	if rw.err == nil {
		_, rw.err = rw.w.WriteString(s)
	}
}

func (rw *resultsWriter) value(v any) {
	if rw.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		rw.err = err
		return
	}
	_, rw.err = rw.w.Write(b)
}

type metadata struct {
	Title        string     `json:"title"`
	LastModified string     `json:"last-modified"`
	Version      string     `json:"version"`
	OSCALVersion string     `json:"oscal-version"`
	Props        []property `json:"props,omitempty"`
}

type property struct {
	Name  string `json:"name"`
	NS    string `json:"ns,omitempty"`
	Value string `json:"value"`
}

type result struct {
	UUID             string     `json:"uuid"`
	Title            string     `json:"title"`
	Description      string     `json:"description"`
	Start            string     `json:"start"`
	End              string     `json:"end,omitempty"`
	Props            []property `json:"props,omitempty"`
	ReviewedControls struct {
		Description       string           `json:"description"`
		ControlSelections []map[string]any `json:"control-selections"`
	} `json:"reviewed-controls"`
}

type observation struct {
	UUID             string             `json:"uuid"`
	Title            string             `json:"title"`
	Description      string             `json:"description"`
	Props            []property         `json:"props,omitempty"`
	Methods          []string           `json:"methods"`
	RelevantEvidence []relevantEvidence `json:"relevant-evidence,omitempty"`
	Collected        string             `json:"collected"`
}

type relevantEvidence struct {
	Description string `json:"description"`
}

type target struct {
	Type     string `json:"type"`
	TargetID string `json:"target-id"`
	Status   struct {
		State   string `json:"state"`
		Reason  string `json:"reason,omitempty"`
		Remarks string `json:"remarks,omitempty"`
	} `json:"status"`
}
