package findings

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/store"
)

// DataSourcePrefix begins the data source of findings' evidence; the provider follows.
const DataSourcePrefix = "Findings: "

// DefaultBatchSize is how many evidence records of one assessment control go in one
// ledger append.
const DefaultBatchSize = 1000

// Appender is the evidence ledger as the importer uses it (*evidence.Ledger).
type Appender interface {
	Append(ctx context.Context, b evidence.Batch) (evidence.Result, error)
}

var _ Appender = (*evidence.Ledger)(nil)

// Importer appends findings to the ledger as compliance-check evidence. Store and Ledger
// are required; its fields must not change once it is in use.
type Importer struct {
	Store  store.Store
	Ledger Appender
	// Rules are explicit mapping rules for the assessments of every account. Import
	// also applies, to each account's assessments, the finding mappings that account's
	// catalog holds (mappings/*.yaml, read from Store).
	Rules []Rule
	// BatchSize is DefaultBatchSize when zero.
	BatchSize int
	// Author is recorded as the author of the folders the import creates.
	Author string
}

// Summary is what an import did.
type Summary struct {
	Findings int `json:"findings"`
	// Unmapped counts findings that reached no control of any active assessment (no
	// assessment in scope, or no control their requirements or the rules name).
	Unmapped int `json:"unmapped"`
	// Evidence counts the records appended; Duplicate those an earlier import of the
	// same findings appended already (and which were not appended again).
	Evidence  int `json:"evidence"`
	Duplicate int `json:"duplicate"`
	// Assessments counts the active assessments that received evidence.
	Assessments int `json:"assessments"`
}

// target is one control of an active assessment.
type target struct {
	a                      *probity.Assessment
	setID, controlID, name string
}

// Import maps each finding to the controls of every ACTIVE assessment of account (empty:
// every account) whose scope holds the finding's account, and appends one evidence a
// finding and control, dated by the finding's time, through the ledger. Findings of one
// assessment control are appended in batches under keys made from their content, so
// importing the same findings again appends nothing. It returns the ledger's or the
// store's error, with what was appended before it in the Summary (an import that failed
// half-way is completed by running it again).
func (im *Importer) Import(ctx context.Context, account string, fs []Finding) (Summary, error) {
	sum := Summary{Findings: len(fs)}
	assessments, err := im.active(ctx, account)
	if err != nil {
		return sum, err
	}
	// Index every control of the assessments by the first word of its name (for
	// requirement ids) and by its name (for rules).
	byWord := map[string][]target{}
	byName := map[string][]target{}
	inScope := map[string][]*probity.Assessment{} // AWS account -> assessments
	for i := range assessments {
		a := &assessments[i]
		for _, acc := range a.Scope.Accounts {
			inScope[acc.ID] = append(inScope[acc.ID], a)
		}
		for _, set := range a.ControlSets {
			for _, c := range set.Controls {
				if c.Status == probity.ControlInactive {
					continue
				}
				t := target{a: a, setID: set.ID, controlID: c.ID, name: c.Name}
				byWord[firstWord(c.Name)] = append(byWord[firstWord(c.Name)], t)
				byName[c.Name] = append(byName[c.Name], t)
			}
		}
	}
	rules, err := im.rules(ctx, assessments)
	if err != nil {
		return sum, err
	}
	type groupKey struct{ assessment, setID, controlID string }
	groups := map[groupKey][]probity.Evidence{}
	var order []groupKey
	seen := map[groupKey]bool{} // of one finding
	for i := range fs {
		f := &fs[i]
		scoped := inScope[f.Account]
		clear(seen)
		add := func(t target, why string) {
			if !inList(scoped, t.a) {
				return
			}
			k := groupKey{t.a.ID, t.setID, t.controlID}
			if seen[k] {
				return
			}
			seen[k] = true
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], evidenceOf(f, t, why))
		}
		if len(scoped) > 0 {
			for _, r := range f.Requirements {
				for _, t := range byWord[firstWord(r.ID)] {
					if RequirementMatches(r.ID, t.name) {
						add(t, "requirement "+strings.TrimSpace(r.Framework+" "+r.ID))
					}
				}
			}
			for ri := range rules {
				r := &rules[ri]
				if !r.Matches(f) {
					continue
				}
				for _, name := range r.Controls {
					for _, t := range byName[name] {
						if r.account == "" || r.account == t.a.AccountID {
							add(t, "mapping "+r.Name)
						}
					}
				}
			}
		}
		if len(seen) == 0 {
			sum.Unmapped++
		}
	}
	size := im.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	touched := map[string]bool{}
	for _, k := range order {
		items := groups[k]
		a := assessmentOf(assessments, k.assessment)
		for start := 0; start < len(items); start += size {
			chunk := items[start:min(start+size, len(items))]
			res, err := im.Ledger.Append(ctx, evidence.Batch{Account: a.AccountID, AssessmentID: a.ID, Author: im.Author,
				Key: batchKey(k.setID, k.controlID, chunk), Items: chunk})
			if err != nil {
				return sum, fmt.Errorf("import findings into assessment %s: %w", a.ID, err)
			}
			if res.Duplicate {
				sum.Duplicate += len(chunk)
			} else {
				sum.Evidence += len(chunk)
				touched[a.ID] = true
			}
		}
	}
	sum.Assessments = len(touched)
	return sum, nil
}

// accountRule is a mapping rule and the account whose assessments it applies to (""
// for all).
type accountRule struct {
	Rule
	account string
}

// rules returns im.Rules and the rules of the finding mappings of every account that
// owns one of the assessments.
func (im *Importer) rules(ctx context.Context, assessments []probity.Assessment) ([]accountRule, error) {
	out := make([]accountRule, 0, len(im.Rules))
	for _, r := range im.Rules {
		out = append(out, accountRule{Rule: r})
	}
	done := map[string]bool{}
	for i := range assessments {
		acc := assessments[i].AccountID
		if done[acc] {
			continue
		}
		done[acc] = true
		ms, err := im.Store.FindingMappings(ctx, acc)
		if err != nil {
			return nil, fmt.Errorf("import findings: finding mappings of account %s: %w", acc, err)
		}
		for j := range ms {
			for _, r := range RulesOf(&ms[j]) {
				out = append(out, accountRule{Rule: r, account: acc})
			}
		}
	}
	return out, nil
}

// active returns the ACTIVE assessments of account (empty: all).
func (im *Importer) active(ctx context.Context, account string) ([]probity.Assessment, error) {
	var out []probity.Assessment
	q := store.AssessmentQuery{Account: account, Status: probity.AssessmentActive, Limit: 100}
	for {
		page, err := im.Store.Assessments(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < q.Limit {
			return out, nil
		}
		last := page[len(page)-1]
		q.After = store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}

func inList(as []*probity.Assessment, a *probity.Assessment) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

func assessmentOf(as []probity.Assessment, id string) *probity.Assessment {
	for i := range as {
		if as[i].ID == id {
			return &as[i]
		}
	}
	return nil
}

// evidenceOf returns the evidence of a finding for one assessment control.
func evidenceOf(f *Finding, t target, why string) probity.Evidence {
	check := f.Compliance()
	e := probity.Evidence{
		ControlSetID: t.setID, ControlID: t.controlID, ControlName: t.name,
		DataSource:     DataSourcePrefix + f.Provider,
		EvidenceByType: probity.EvidenceTypeComplianceCheck, ComplianceCheck: check,
		Time: f.Time, AWSAccountID: f.Account, EvidenceAWSAccountID: f.Account,
		Attributes: map[string]string{
			"findingId": f.ID, "provider": f.Provider, "checkId": f.CheckID, "status": f.Status,
			"title": f.Title, "region": f.Region, "mappedBy": why,
		},
	}
	for _, r := range f.Resources {
		res := probity.EvidenceResource{Value: r.Type, ComplianceCheck: check}
		if strings.HasPrefix(r.ARN, "arn:") {
			res.ARN = r.ARN
		} else if r.ARN != "" {
			res.Value = strings.TrimSpace(r.Type + " " + r.ARN)
		}
		e.ResourcesIncluded = append(e.ResourcesIncluded, res)
	}
	return e
}

// batchKey returns the idempotency key of a batch of one assessment control's evidence:
// its content (each finding's identity and result) decides it, so the same findings
// make the same key.
func batchKey(setID, controlID string, items []probity.Evidence) evidence.Key {
	h := sha256.New()
	lo, hi := items[0].Time, items[0].Time
	// Each item's fields, each followed by 0, and its resources' ARN and value, each
	// followed by 1: the bytes are the key, so they must not change between versions.
	var buf []byte
	for i := range items {
		e := &items[i]
		buf = buf[:0]
		for _, s := range [...]string{e.DataSource, e.Attributes["findingId"], e.Attributes["checkId"], e.AWSAccountID, e.Attributes["region"], e.Attributes["status"]} {
			buf = append(append(buf, s...), 0)
		}
		buf = append(strconv.AppendInt(buf, e.Time.UnixNano(), 10), 0)
		for _, r := range e.ResourcesIncluded {
			buf = append(append(append(append(buf, r.ARN...), 1), r.Value...), 1)
		}
		h.Write(buf)
		if e.Time.Before(lo) {
			lo = e.Time
		}
		if e.Time.After(hi) {
			hi = e.Time
		}
	}
	return evidence.Key{ControlSetID: setID, ControlID: controlID, SourceID: "findings",
		Resource: hex.EncodeToString(h.Sum(nil)), WindowStart: lo, WindowEnd: hi.Add(time.Nanosecond)}
}
