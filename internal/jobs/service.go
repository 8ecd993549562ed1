// Package jobs collects evidence: it turns the data sources of ACTIVE assessments into
// collections, one per source and window (window.go), runs each through the source type's
// Collector and appends the result to the ledger under an idempotency key built from the
// window, so that a retried or repeated collection never duplicates evidence.
//
// Service is that work, callable directly (probity collect). Runner drives it with River
// queues on the same database as the library (PostgreSQL, or SQLite in the embedded mode,
// both through database/sql): a periodic scheduler job enqueues the due collections, and
// workers run them with retries.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/evidence"
)

// Outcome is how one collection ended.
type Outcome string

// Outcomes.
const (
	// OutcomeAppended: the collector ran and the ledger appended its batch.
	OutcomeAppended Outcome = "appended"
	// OutcomeDuplicate: the collector ran, and the ledger already held the window's batch.
	OutcomeDuplicate Outcome = "duplicate"
	// OutcomeNoCollector: no collector is registered for the source type; nothing ran.
	OutcomeNoCollector Outcome = "no_collector"
	// OutcomeInactive: the assessment is no longer ACTIVE, or no longer has the source.
	OutcomeInactive Outcome = "inactive"
	// OutcomeFailed: the collector or the append failed; a job is retried.
	OutcomeFailed Outcome = "failed"
)

// Report is what one collection did. Jobs record it as their output.
type Report struct {
	Account      string             `json:"account"`
	AssessmentID string             `json:"assessment_id"`
	ControlSetID string             `json:"control_set_id"`
	ControlID    string             `json:"control_id"`
	SourceID     string             `json:"source_id"`
	SourceType   probity.SourceType `json:"source_type"`
	Target       string             `json:"target"` // the AWS account collected from
	Window       string             `json:"window"`
	Outcome      Outcome            `json:"outcome"`
	// Collected is how many items the collector returned; Appended how many the ledger
	// holds for the window (the first append's count for a duplicate).
	Collected int    `json:"collected"`
	Appended  int    `json:"appended"`
	Error     string `json:"error,omitempty"`
}

// Service collects evidence for the plan's collections. Its fields are set before first
// use and not changed after.
type Service struct {
	Plan       Plan
	Appender   Appender
	Collectors *Registry
	// ContinuousInterval is the window of continuous sources (DefaultContinuousInterval
	// when zero).
	ContinuousInterval time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Metrics counts outcomes; nil counts nothing.
	Metrics *Metrics
	// Upkeep, when set, is run daily by the runner: the ledger's retention purge and
	// checkpoints (see evidence.Ledger.Upkeep).
	Upkeep Upkeeper
}

// Upkeeper looks after the ledger; *evidence.Ledger implements it.
type Upkeeper interface {
	Upkeep(ctx context.Context) (evidence.Upkept, error)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) interval() time.Duration {
	if s.ContinuousInterval > 0 {
		return s.ContinuousInterval
	}
	return DefaultContinuousInterval
}

// check returns an error naming what the service lacks.
func (s *Service) check() error {
	switch {
	case s.Plan == nil:
		return errors.New("jobs: the service has no plan")
	case s.Appender == nil:
		return errors.New("jobs: the service has no appender")
	case s.Collectors == nil:
		return errors.New("jobs: the service has no collector registry")
	case s.ContinuousInterval < 0:
		return fmt.Errorf("jobs: continuous interval %s is negative", s.ContinuousInterval)
	}
	return nil
}

// Due returns the collections of the ACTIVE assessments that f matches, each with the window
// it covers when run at now, sources that are never collected (MANUAL, ...) left out. It
// returns an error when the plan cannot be read or a source has an unknown frequency.
func (s *Service) Due(ctx context.Context, f Filter, now time.Time) ([]Task, error) {
	cols, err := s.Plan.Collections(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	var tasks []Task
	siblings := siblingsOf(cols)
	for i, c := range cols {
		if !Collected(c.Source.SourceType) {
			continue
		}
		w, err := WindowFor(c.Source.SourceFrequency, s.interval(), now)
		if err != nil {
			return nil, fmt.Errorf("assessment %s control %s source %s: %w", c.AssessmentID, c.ControlID, sourceID(c.Source), err)
		}
		for _, target := range targets(c) {
			tasks = append(tasks, Task{Collection: c, Target: target, Window: w, Siblings: siblings[i]})
		}
	}
	return tasks, nil
}

// targets returns the accounts a collection collects from: those of its assessment's
// scope, or the assessment's own account when the scope names none.
func targets(c Collection) []string {
	if len(c.Scope.Accounts) == 0 {
		return []string{c.Account}
	}
	out := make([]string, len(c.Scope.Accounts))
	for i, a := range c.Scope.Accounts {
		out[i] = a.ID
	}
	return out
}

// Run collects one task: the source type's collector, then one append of its batch under
// the task's key. A type without a collector is an outcome (OutcomeNoCollector), not an
// error. It returns the report and, for OutcomeFailed, the error.
func (s *Service) Run(ctx context.Context, t Task) (Report, error) {
	rep := Report{
		Account: t.Account, AssessmentID: t.AssessmentID, ControlSetID: t.ControlSetID, ControlID: t.ControlID,
		SourceID: sourceID(t.Source), SourceType: t.Source.SourceType, Target: t.Target, Window: t.Window.String(),
	}
	err := s.run(ctx, t, &rep)
	if err != nil {
		rep.Outcome, rep.Error = OutcomeFailed, err.Error()
	}
	s.Metrics.count(rep.SourceType, rep.Outcome, rep.Target)
	return rep, err
}

func (s *Service) run(ctx context.Context, t Task, rep *Report) error {
	c, ok := s.Collectors.Lookup(t.Source.SourceType)
	if !ok {
		rep.Outcome = OutcomeNoCollector
		return nil
	}
	items, err := c.Collect(ctx, t)
	if err != nil {
		return fmt.Errorf("collect: %w", err)
	}
	rep.Collected = len(items)
	for i := range items {
		t.place(&items[i], s.now())
	}
	res, err := s.Appender.Append(ctx, evidence.Batch{Account: t.Account, AssessmentID: t.AssessmentID, Author: author, Key: t.Key(), Items: items})
	if err != nil {
		return fmt.Errorf("append: %w", err)
	}
	rep.Appended, rep.Outcome = len(res.IDs), OutcomeAppended
	if res.Duplicate {
		rep.Outcome = OutcomeDuplicate
	}
	return nil
}

// CollectNow runs every collection that f matches now, one after another, through Run: the
// code path of the jobs, without the queue. It returns the reports and an error joining
// every failure; it returns a probity ENOTFOUND error when f matches no collected source (no
// such ACTIVE assessment, or one with manual sources only).
func (s *Service) CollectNow(ctx context.Context, f Filter) ([]Report, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	tasks, err := s.Due(ctx, f, s.now())
	if err != nil {
		return nil, err
	}
	if len(tasks) == 0 {
		return nil, probity.Errorf(probity.ENOTFOUND, "assessment %s has no automated data source to collect: it does not exist in account %s, is not ACTIVE, or has manual sources only", f.AssessmentID, f.Account)
	}
	var reps []Report
	var errs []error
	for _, t := range tasks {
		rep, err := s.Run(ctx, t)
		reps = append(reps, rep)
		if err != nil {
			errs = append(errs, fmt.Errorf("control set %s control %s source %s window %s: %w", t.ControlSetID, t.ControlID, rep.SourceID, rep.Window, err))
		}
	}
	return reps, errors.Join(errs...)
}
