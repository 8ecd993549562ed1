package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/evidence"
)

// The assessment model and the evidence ledger are built elsewhere; these tests stand in
// for them with in-test implementations of Plan and Appender that keep the contracts the
// runner relies on: Plan lists ACTIVE assessments only, and Append is idempotent by key.

// testAssessment is one assessment of testPlan.
type testAssessment struct {
	account, id string
	active      bool
	sources     []probity.ControlMappingSource
}

// testPlan is an in-test Plan over assessments that can be deactivated.
type testPlan struct {
	mu          sync.Mutex
	assessments []*testAssessment
}

func (p *testPlan) add(a *testAssessment) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.assessments = append(p.assessments, a)
}

func (p *testPlan) setActive(id string, active bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range p.assessments {
		if a.id == id {
			a.active = active
		}
	}
}

// Collections lists one control per source (control id "ctl-N" for the N-th source) of
// the ACTIVE assessments that f matches.
func (p *testPlan) Collections(_ context.Context, f Filter) ([]Collection, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Collection
	for _, a := range p.assessments {
		if !a.active || (f.Account != "" && f.Account != a.account) || (f.AssessmentID != "" && f.AssessmentID != a.id) {
			continue
		}
		for i, s := range a.sources {
			out = append(out, Collection{Account: a.account, AssessmentID: a.id, ControlSetID: "set-1",
				ControlID: fmt.Sprintf("ctl-%d", i), ControlName: fmt.Sprintf("Control %d", i), Source: s})
		}
	}
	return out, nil
}

// testLedger is an in-test Appender: batches are kept by key, and a repeated key appends
// nothing. failAfterAppend makes the first n appends fail after they have been kept, as a
// commit whose acknowledgement was lost.
type testLedger struct {
	mu              sync.Mutex
	byKey           map[string]evidence.Result // by assessment and key
	items           []probity.Evidence
	calls           int
	failAfterAppend int
}

var errLostAck = errors.New("connection lost after commit")

func (l *testLedger) Append(_ context.Context, b evidence.Batch) (evidence.Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.byKey == nil {
		l.byKey = map[string]evidence.Result{}
	}
	key := fmt.Sprintf("%s %+v", b.AssessmentID, b.Key)
	if r, ok := l.byKey[key]; ok {
		r.Duplicate = true
		return r, nil
	}
	l.items = append(l.items, b.Items...)
	var r evidence.Result
	for i := range b.Items {
		r.IDs = append(r.IDs, fmt.Sprintf("%s-%d", key, i))
	}
	l.byKey[key] = r
	if l.failAfterAppend > 0 {
		l.failAfterAppend--
		return evidence.Result{}, errLostAck
	}
	return r, nil
}

func (l *testLedger) snapshot() (items []probity.Evidence, calls int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]probity.Evidence(nil), l.items...), l.calls
}

// countingCollector returns two items per task and counts its calls.
type countingCollector struct {
	mu    sync.Mutex
	calls map[string]int // by control id and window
}

func (c *countingCollector) Collect(_ context.Context, t Task) ([]probity.Evidence, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[t.AssessmentID+"/"+t.ControlID+"@"+t.Window.String()]++
	return []probity.Evidence{{EventName: t.Window.String() + " 1"}, {EventName: t.Window.String() + " 2"}}, nil
}

func (c *countingCollector) total() (calls, distinct int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.calls {
		calls += n
	}
	return calls, len(c.calls)
}

func configSource(id string, f probity.SourceFrequency) probity.ControlMappingSource {
	return probity.ControlMappingSource{SourceID: id, SourceName: id, SourceSetUpOption: probity.SetUpSystem,
		SourceType: probity.SourceTypeConfig, SourceFrequency: f,
		SourceKeyword: &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: "S3_BUCKET_VERSIONING_ENABLED"}}
}

func hubSource(id string) probity.ControlMappingSource {
	return probity.ControlMappingSource{SourceID: id, SourceName: id, SourceSetUpOption: probity.SetUpSystem,
		SourceType:    probity.SourceTypeSecurityHub,
		SourceKeyword: &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: "securityhub-s3-1"}}
}
