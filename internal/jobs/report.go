package jobs

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"
)

// Reporter writes assessment reports (*assess.Reports): Generate takes an IN_PROGRESS
// report to COMPLETE or FAILED, and returns an error only when it cannot record which.
type Reporter interface {
	Generate(ctx context.Context, account, reportID string) error
}

// ReportArgs are an assessment report job's arguments.
type ReportArgs struct {
	Account  string `json:"account" river:"unique"`
	ReportID string `json:"report_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (ReportArgs) Kind() string { return "probity_report" }

// InsertOpts implements river.JobArgsWithInsertOpts: a report is one job however often it
// is enqueued.
func (ReportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// EnqueueReport enqueues the generation of the account's report. A runner without a
// Reporter (RunnerOptions.Reports) still enqueues: another process's workers take it. It
// returns an error when the insert fails.
func (r *Runner) EnqueueReport(ctx context.Context, account, reportID string) error {
	if _, err := r.client.Insert(ctx, ReportArgs{Account: account, ReportID: reportID}, nil); err != nil {
		return fmt.Errorf("jobs: enqueue report: %w", err)
	}
	return nil
}

// reportWorker runs one report job.
type reportWorker struct {
	river.WorkerDefaults[ReportArgs]
	rep Reporter
}

// Work generates the report.
func (w *reportWorker) Work(ctx context.Context, job *river.Job[ReportArgs]) error {
	return w.rep.Generate(ctx, job.Args.Account, job.Args.ReportID)
}
