package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// assessmentControlColumns are the columns of assessment_controls (migration 0150).
const assessmentControlColumns = `assessment_id, control_id, control_set_id, control_set_name, name, domain`

// putAssessmentControls replaces the assessment's rows of assessment_controls with the
// controls of its snapshot: one row per control, under the first control set holding it.
func (w *writer) putAssessmentControls(ctx context.Context, a *probity.Assessment) error {
	if _, err := w.tx.ExecContext(ctx, w.db.rebind(`DELETE FROM assessment_controls WHERE assessment_id = ?`), a.ID); err != nil {
		return fmt.Errorf("put assessment controls: %w", err)
	}
	seen := map[string]bool{}
	var rows [][]any
	for _, s := range a.ControlSets {
		for _, c := range s.Controls {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			domain := c.Domain
			if domain == "" {
				domain = probity.DomainUncategorized
			}
			rows = append(rows, []any{a.ID, c.ID, s.ID, s.Name, c.Name, domain})
		}
	}
	if _, err := w.insert(ctx, "assessment_controls", assessmentControlColumns, rows, ""); err != nil {
		return fmt.Errorf("put assessment controls: %w", err)
	}
	return nil
}

// backfillAssessmentControls fills assessment_controls from the bodies of the assessments
// that exist when migration 0150 runs.
func backfillAssessmentControls(ctx context.Context, db *DB, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+assessmentColumns+` FROM assessments`)
	if err != nil {
		return err
	}
	var as []*probity.Assessment
	for rows.Next() {
		a, err := scanAssessment(rows)
		if err != nil {
			rows.Close()
			return err
		}
		as = append(as, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	w := &writer{reader: reader{q: tx, db: db}, tx: tx}
	for _, a := range as {
		if err := w.putAssessmentControls(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

func init() { afterMigration[150] = backfillAssessmentControls }

// insightFrom returns the FROM and WHERE clauses (with their arguments) that select the
// scope's assessment controls as a (assessments) joined with ac (assessment_controls).
func insightFrom(s store.InsightScope) (string, []any) {
	q := ` FROM assessments a JOIN assessment_controls ac ON ac.assessment_id = a.id WHERE a.account_id = ?`
	args := []any{s.AccountID}
	if s.AssessmentID != "" {
		q += ` AND a.id = ?`
		args = append(args, s.AssessmentID)
	} else {
		q += ` AND a.status = ?`
		args = append(args, string(probity.AssessmentActive))
	}
	if s.Domain != "" {
		q += ` AND ac.domain = ?`
		args = append(args, s.Domain)
	}
	if s.ControlSetIDs != nil {
		if len(s.ControlSetIDs) == 0 {
			q += ` AND 1 = 0`
		} else {
			q += ` AND ac.control_set_id IN (` + placeholders(len(s.ControlSetIDs)) + `)`
			for _, id := range s.ControlSetIDs {
				args = append(args, id)
			}
		}
	}
	return q, args
}

// insightGroups returns the columns that g groups by, each with the member it fills.
func insightGroups(g store.InsightGroup) []string {
	var cols []string
	if g&store.ByAssessment != 0 {
		cols = append(cols, "a.id")
	}
	if g&store.ByDomain != 0 {
		cols = append(cols, "ac.domain")
	}
	if g&store.ByControl != 0 {
		cols = append(cols, "ac.control_id")
	}
	return cols
}

// InsightLastDay implements store.Reader: the latest day of each assessment control, by
// the index on (assessment_id, control_id, day).
func (r reader) InsightLastDay(ctx context.Context, s store.InsightScope, upTo time.Time) (time.Time, error) {
	from, args := insightFrom(s)
	var day sql.NullInt64
	err := r.q.QueryRowContext(ctx, r.db.rebind(`SELECT MAX((SELECT MAX(d.day) FROM evidence_days d
		WHERE d.assessment_id = ac.assessment_id AND d.control_id = ac.control_id AND d.day <= ?))`+from),
		append([]any{probity.Day(upTo).UnixNano()}, args...)...).Scan(&day)
	if err != nil {
		return time.Time{}, fmt.Errorf("read insights: %w", err)
	}
	if !day.Valid {
		return time.Time{}, nil
	}
	return time.Unix(0, day.Int64).UTC(), nil
}

// InsightDays implements store.Reader.
func (r reader) InsightDays(ctx context.Context, s store.InsightScope, g store.InsightGroup, from, to time.Time) ([]store.InsightDay, error) {
	where, args := insightFrom(s)
	where = strings.Replace(where, ` WHERE `, ` JOIN evidence_days d ON d.assessment_id = ac.assessment_id
		AND d.control_id = ac.control_id AND d.day >= ? AND d.day <= ? WHERE `, 1)
	args = append([]any{probity.Day(from).UnixNano(), probity.Day(to).UnixNano()}, args...)
	group := strings.Join(append([]string{"d.day"}, insightGroups(g)...), ", ")
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT `+group+`, SUM(d.compliant), SUM(d.non_compliant),
		SUM(d.inconclusive), COUNT(*), SUM(CASE WHEN d.non_compliant > 0 THEN 1 ELSE 0 END),
		COUNT(DISTINCT CASE WHEN d.non_compliant > 0 THEN d.control_id END)`+where+` GROUP BY `+group+` ORDER BY `+group), args...)
	if err != nil {
		return nil, fmt.Errorf("read insights: %w", err)
	}
	defer rows.Close()
	var out []store.InsightDay
	for rows.Next() {
		var d store.InsightDay
		var day int64
		dest := []any{&day}
		if g&store.ByAssessment != 0 {
			dest = append(dest, &d.AssessmentID)
		}
		if g&store.ByDomain != 0 {
			dest = append(dest, &d.Domain)
		}
		if g&store.ByControl != 0 {
			dest = append(dest, &d.ControlID)
		}
		dest = append(dest, &d.Compliant, &d.NonCompliant, &d.Inconclusive, &d.AssessmentControls,
			&d.NonCompliantAssessmentControls, &d.NonCompliantControls)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read insights: %w", err)
		}
		d.Date = time.Unix(0, day).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// InsightTotals implements store.Reader.
func (r reader) InsightTotals(ctx context.Context, s store.InsightScope, g store.InsightGroup) ([]store.InsightTotal, error) {
	where, args := insightFrom(s)
	cols := insightGroups(g &^ store.ByControl)
	q := `SELECT ` + strings.Join(append(cols, "COUNT(DISTINCT a.id), COUNT(*), COUNT(DISTINCT ac.control_id)"), ", ") + where
	if len(cols) > 0 {
		q += ` GROUP BY ` + strings.Join(cols, ", ") + ` ORDER BY ` + strings.Join(cols, ", ")
	}
	rows, err := r.q.QueryContext(ctx, r.db.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("read insight totals: %w", err)
	}
	defer rows.Close()
	var out []store.InsightTotal
	for rows.Next() {
		var t store.InsightTotal
		var dest []any
		if g&store.ByAssessment != 0 {
			dest = append(dest, &t.AssessmentID)
		}
		if g&store.ByDomain != 0 {
			dest = append(dest, &t.Domain)
		}
		if err := rows.Scan(append(dest, &t.Assessments, &t.AssessmentControls, &t.Controls)...); err != nil {
			return nil, fmt.Errorf("read insight totals: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// InsightControls implements store.Reader.
func (r reader) InsightControls(ctx context.Context, s store.InsightScope, ids []string) ([]store.InsightControl, error) {
	where, args := insightFrom(s)
	if ids != nil {
		if len(ids) == 0 {
			return nil, nil
		}
		where += ` AND ac.control_id IN (` + placeholders(len(ids)) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT ac.assessment_id, ac.control_id, ac.control_set_id,
		ac.control_set_name, ac.name, ac.domain`+where+` ORDER BY ac.assessment_id, ac.control_id`), args...)
	if err != nil {
		return nil, fmt.Errorf("read insight controls: %w", err)
	}
	defer rows.Close()
	var out []store.InsightControl
	for rows.Next() {
		var c store.InsightControl
		if err := rows.Scan(&c.AssessmentID, &c.ControlID, &c.ControlSetID, &c.ControlSetName, &c.Name, &c.Domain); err != nil {
			return nil, fmt.Errorf("read insight controls: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// The insight reads outside transactions, each entering the gate (gate.go).

// InsightLastDay implements store.Reader.
func (db *DB) InsightLastDay(ctx context.Context, s store.InsightScope, upTo time.Time) (time.Time, error) {
	return gated(db, ctx, func() (time.Time, error) { return db.read.InsightLastDay(ctx, s, upTo) })
}

// InsightDays implements store.Reader.
func (db *DB) InsightDays(ctx context.Context, s store.InsightScope, g store.InsightGroup, from, to time.Time) ([]store.InsightDay, error) {
	return gated(db, ctx, func() ([]store.InsightDay, error) { return db.read.InsightDays(ctx, s, g, from, to) })
}

// InsightTotals implements store.Reader.
func (db *DB) InsightTotals(ctx context.Context, s store.InsightScope, g store.InsightGroup) ([]store.InsightTotal, error) {
	return gated(db, ctx, func() ([]store.InsightTotal, error) { return db.read.InsightTotals(ctx, s, g) })
}

// InsightControls implements store.Reader.
func (db *DB) InsightControls(ctx context.Context, s store.InsightScope, ids []string) ([]store.InsightControl, error) {
	return gated(db, ctx, func() ([]store.InsightControl, error) { return db.read.InsightControls(ctx, s, ids) })
}
