package store

import (
	"context"
	"time"
)

// Assessment report statuses, as Audit Manager names them.
const (
	ReportInProgress = "IN_PROGRESS"
	ReportComplete   = "COMPLETE"
	ReportFailed     = "FAILED"
)

// AssessmentReport is a report of an assessment (CreateAssessmentReport): what was asked,
// and how its generation went.
type AssessmentReport struct {
	ID             string
	AccountID      string
	AssessmentID   string
	AssessmentName string
	Name           string
	Description    string
	Author         string // who asked for it: the caller's name
	// Query is the queryStatement that selected the evidence; empty means the evidence
	// selected for the report.
	Query string
	// Destination is the assessment's reports destination when the report was asked for;
	// Path is the report's destination-relative path once COMPLETE.
	Destination string
	Path        string
	Status      string // one of the Report constants
	Reason      string // why a FAILED report failed
	KeyID       string // the signing key, once COMPLETE
	Digest      string // the SHA-256 of its digest.txt, once COMPLETE
	CreatedAt   time.Time
}

// ReportReader reads assessment reports. Another account's reports answer ENOTFOUND.
type ReportReader interface {
	// AssessmentReport returns the account's report with the id, or ENOTFOUND.
	AssessmentReport(ctx context.Context, account, id string) (*AssessmentReport, error)
	// AssessmentReports returns up to limit of the account's reports created after the
	// cursor, oldest first.
	AssessmentReports(ctx context.Context, account string, after Cursor, limit int) ([]AssessmentReport, error)
}

// ReportWriter records assessment reports.
type ReportWriter interface {
	// PutAssessmentReport records a new report. It returns an ECONFLICT error for a known id.
	PutAssessmentReport(ctx context.Context, r *AssessmentReport) error
	// FinishAssessmentReport sets the outcome of the account's IN_PROGRESS report: r's
	// Status, Reason, Path, KeyID and Digest. It returns ENOTFOUND for a report that does
	// not exist (deleted meanwhile) and ECONFLICT for one no longer IN_PROGRESS.
	FinishAssessmentReport(ctx context.Context, r *AssessmentReport) error
	// DeleteAssessmentReport deletes the account's report, or returns ENOTFOUND.
	DeleteAssessmentReport(ctx context.Context, account, id string) error
}
