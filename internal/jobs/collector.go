package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/evidence"
)

// Task is one collection: a data source of a control, from one AWS account of the
// assessment's scope (Target), over one window. Each account of a scope is its own task,
// so that one account's failure is retried and reported alone while the others' evidence
// lands.
type Task struct {
	Collection
	Target string
	Window Window
	// Siblings are the sources of the task's assessment of the task's type and
	// frequency (so collected over the same window), the task's own included, when the
	// planner knows them. A collector may collect them together with the task's source
	// and keep what it gathered for their own tasks; it returns only the task's evidence.
	// They are not part of the task's identity (Key).
	Siblings []probity.ControlMappingSource
}

// siblingsOf returns, for each collection, the sources of its assessment of the same
// type and frequency, in the order of cols (Task.Siblings).
func siblingsOf(cols []Collection) [][]probity.ControlMappingSource {
	type group struct {
		account, assessment string
		typ                 probity.SourceType
		freq                probity.SourceFrequency
	}
	groups := map[group][]probity.ControlMappingSource{}
	key := func(c Collection) group {
		return group{c.Account, c.AssessmentID, c.Source.SourceType, c.Source.SourceFrequency}
	}
	for _, c := range cols {
		k := key(c)
		groups[k] = append(groups[k], c.Source)
	}
	out := make([][]probity.ControlMappingSource, len(cols))
	for i, c := range cols {
		out[i] = groups[key(c)]
	}
	return out
}

// Key returns the idempotency key of the task's evidence batch: the same for every run of
// the same collection, so that the ledger appends a retried or duplicated batch once.
func (t Task) Key() evidence.Key {
	return evidence.Key{
		ControlSetID: t.ControlSetID,
		ControlID:    t.ControlID,
		SourceID:     sourceID(t.Source),
		Resource:     t.Target,
		WindowStart:  t.Window.Start,
		WindowEnd:    t.Window.End,
	}
}

// sourceID names a source within its control: its id, or, for a source snapshotted
// without one, its type and keyword.
func sourceID(s probity.ControlMappingSource) string {
	if s.SourceID != "" {
		return s.SourceID
	}
	id := string(s.SourceType)
	if s.SourceKeyword != nil {
		id += ":" + s.SourceKeyword.KeywordValue
	}
	return id
}

// Collector gathers the evidence of one source type. The evidence collectors (Config
// rules, Security Hub, CloudTrail, API calls) implement it in packages of their own;
// cmd/probity holds the one list of built-in collectors.
//
// Lifecycle: NewRegistry checks the list at start-up. For each task of its type the runner
// calls Collect, from any worker and possibly at the same time for different tasks; a task
// is retried, with the same window, whenever Collect or the append after it fails, so
// Collect must be safe to repeat. Collect returns the evidence of task.Window, each item
// naming the task's control set, control and data source, or an error (which the runner
// retries with backoff and counts as failed). An empty result is a successful collection.
type Collector interface {
	Collect(ctx context.Context, task Task) ([]probity.Evidence, error)
}

// CollectorFunc is a function that is a Collector.
type CollectorFunc func(ctx context.Context, task Task) ([]probity.Evidence, error)

// Collect calls f.
func (f CollectorFunc) Collect(ctx context.Context, task Task) ([]probity.Evidence, error) {
	return f(ctx, task)
}

// Registration binds a collector to the source type it collects.
type Registration struct {
	Type      probity.SourceType
	Collector Collector
}

// Registry finds the collector of a source type.
type Registry struct {
	byType map[probity.SourceType]Collector
}

// NewRegistry returns a registry of the collectors. It returns an error, a start-up error
// before anything is collected, when a registration has no collector, names a source type
// that is never collected (such as MANUAL), or repeats a type. A type without a collector is
// allowed: its collections complete with outcome no_collector.
func NewRegistry(regs ...Registration) (*Registry, error) {
	r := &Registry{byType: map[probity.SourceType]Collector{}}
	for _, reg := range regs {
		switch _, dup := r.byType[reg.Type]; {
		case reg.Collector == nil:
			return nil, fmt.Errorf("jobs: the collector of %q is nil", reg.Type)
		case !Collected(reg.Type):
			return nil, fmt.Errorf("jobs: source type %q is never collected, so it takes no collector", reg.Type)
		case dup:
			return nil, fmt.Errorf("jobs: two collectors are registered for source type %q", reg.Type)
		}
		r.byType[reg.Type] = reg.Collector
	}
	return r, nil
}

// Lookup returns the collector of t, or false when none is registered.
func (r *Registry) Lookup(t probity.SourceType) (Collector, bool) {
	c, ok := r.byType[t]
	return c, ok
}

// author is recorded as the author of the evidence folders that collections create.
const author = "Probity collection"

// place puts e where the task collects: its assessment, control set and control, the data
// source named after the source type and the target account when the collector left them
// empty, and now as its time when the collector gave none. A collector cannot file evidence under another control.
func (t Task) place(e *probity.Evidence, now time.Time) {
	e.AccountID, e.AssessmentID = t.Account, t.AssessmentID
	e.ControlSetID, e.ControlID, e.ControlName = t.ControlSetID, t.ControlID, t.ControlName
	if e.DataSource == "" {
		e.DataSource = DataSourceName(t.Source.SourceType)
	}
	if e.EvidenceAWSAccountID == "" {
		e.EvidenceAWSAccountID = t.Target
	}
	if e.Time.IsZero() {
		e.Time = now
	}
}

// DataSourceName is the dataSource that Audit Manager's evidence shows for a source type.
func DataSourceName(t probity.SourceType) string {
	switch t {
	case probity.SourceTypeConfig:
		return "AWS Config"
	case probity.SourceTypeSecurityHub:
		return "AWS Security Hub"
	case probity.SourceTypeCloudTrail:
		return "AWS CloudTrail"
	case probity.SourceTypeAPICall:
		return "AWS API calls"
	case probity.SourceTypeManual:
		return "Manual"
	}
	return string(t)
}
