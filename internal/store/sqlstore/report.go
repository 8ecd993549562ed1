package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

const reportColumns = `id, account_id, assessment_id, assessment_name, name, description, author, query, destination,
	path, status, reason, key_id, digest, created_at`

func scanReport(sc interface{ Scan(...any) error }) (store.AssessmentReport, error) {
	var r store.AssessmentReport
	var at int64
	err := sc.Scan(&r.ID, &r.AccountID, &r.AssessmentID, &r.AssessmentName, &r.Name, &r.Description, &r.Author, &r.Query,
		&r.Destination, &r.Path, &r.Status, &r.Reason, &r.KeyID, &r.Digest, &at)
	r.CreatedAt = time.Unix(0, at).UTC()
	return r, err
}

// AssessmentReport implements store.Reader.
func (r reader) AssessmentReport(ctx context.Context, account, id string) (*store.AssessmentReport, error) {
	rep, err := scanReport(r.q.QueryRowContext(ctx, r.db.rebind(`SELECT `+reportColumns+` FROM assessment_reports
		WHERE id = ? AND account_id = ?`), id, account))
	if isNoRows(err) {
		return nil, probity.NotFound("assessmentReport", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read assessment report: %w", err)
	}
	return &rep, nil
}

// AssessmentReports implements store.Reader.
func (r reader) AssessmentReports(ctx context.Context, account string, after store.Cursor, limit int) ([]store.AssessmentReport, error) {
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT `+reportColumns+` FROM assessment_reports
		WHERE account_id = ? AND (created_at > ? OR created_at = ? AND id > ?) ORDER BY created_at, id LIMIT ?`),
		account, after.CreatedAt.UnixNano(), after.CreatedAt.UnixNano(), after.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("list assessment reports: %w", err)
	}
	defer rows.Close()
	var out []store.AssessmentReport
	for rows.Next() {
		rep, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("list assessment reports: %w", err)
		}
		out = append(out, rep)
	}
	return out, rows.Err()
}

// AssessmentReport implements store.Reader outside transactions.
func (db *DB) AssessmentReport(ctx context.Context, account, id string) (*store.AssessmentReport, error) {
	return gated(db, ctx, func() (*store.AssessmentReport, error) { return db.read.AssessmentReport(ctx, account, id) })
}

// AssessmentReports implements store.Reader outside transactions.
func (db *DB) AssessmentReports(ctx context.Context, account string, after store.Cursor, limit int) ([]store.AssessmentReport, error) {
	return gated(db, ctx, func() ([]store.AssessmentReport, error) { return db.read.AssessmentReports(ctx, account, after, limit) })
}

// PutAssessmentReport implements store.Tx.
func (w *writer) PutAssessmentReport(ctx context.Context, r *store.AssessmentReport) error {
	_, err := w.tx.ExecContext(ctx, w.db.rebind(`INSERT INTO assessment_reports (`+reportColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), r.ID, r.AccountID, r.AssessmentID, r.AssessmentName, r.Name,
		r.Description, r.Author, r.Query, r.Destination, r.Path, r.Status, r.Reason, r.KeyID, r.Digest, r.CreatedAt.UnixNano())
	return w.db.classify(err, "the assessment report "+r.ID+" exists", "")
}

// FinishAssessmentReport implements store.Tx.
func (w *writer) FinishAssessmentReport(ctx context.Context, r *store.AssessmentReport) error {
	res, err := w.tx.ExecContext(ctx, w.db.rebind(`UPDATE assessment_reports SET status = ?, reason = ?, path = ?, key_id = ?, digest = ?
		WHERE id = ? AND account_id = ? AND status = ?`), r.Status, r.Reason, r.Path, r.KeyID, r.Digest, r.ID, r.AccountID, store.ReportInProgress)
	if err != nil {
		return fmt.Errorf("finish assessment report: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	if _, err := w.AssessmentReport(ctx, r.AccountID, r.ID); err != nil {
		return err
	}
	return probity.Errorf(probity.ECONFLICT, "the assessment report %s is no longer IN_PROGRESS", r.ID)
}

// DeleteAssessmentReport implements store.Tx.
func (w *writer) DeleteAssessmentReport(ctx context.Context, account, id string) error {
	res, err := w.tx.ExecContext(ctx, w.db.rebind(`DELETE FROM assessment_reports WHERE id = ? AND account_id = ?`), id, account)
	if err != nil {
		return fmt.Errorf("delete assessment report: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return probity.NotFound("assessmentReport", id)
	}
	return nil
}
