package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

const assessmentColumns = `id, account_id, name, status, created_at, updated_at, body`

func encodeAssessment(a *probity.Assessment) (string, error) {
	b, err := json.Marshal(toAssessmentBody(a))
	return string(b), err
}

// decodeAssessmentBody returns an assessment with the members of the body text filled.
func decodeAssessmentBody(text string) (*probity.Assessment, error) {
	var body assessmentBody
	if err := json.Unmarshal([]byte(text), &body); err != nil {
		return nil, err
	}
	var a probity.Assessment
	body.domain(&a)
	return &a, nil
}

func scanAssessment(s scanner) (*probity.Assessment, error) {
	var id, account, name, status, text string
	var created, updated int64
	if err := s.Scan(&id, &account, &name, &status, &created, &updated, &text); err != nil {
		return nil, err
	}
	a, err := decodeAssessmentBody(text)
	if err != nil {
		return nil, fmt.Errorf("assessment %s: body: %w", id, err)
	}
	a.ID, a.AccountID, a.Name, a.Status = id, account, name, probity.AssessmentStatus(status)
	a.CreatedAt, a.LastUpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return a, nil
}

// CreateAssessment implements store.AssessmentWriter.
func (w *writer) CreateAssessment(ctx context.Context, a *probity.Assessment) error {
	body, err := encodeAssessment(a)
	if err != nil {
		return fmt.Errorf("create assessment: %w", err)
	}
	_, err = w.q.ExecContext(ctx, w.db.rebind(`INSERT INTO assessments (`+assessmentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		a.ID, a.AccountID, a.Name, string(a.Status), a.CreatedAt.UnixNano(), a.LastUpdatedAt.UnixNano(), body)
	if err := w.db.classify(err, "assessment "+a.ID+" already exists", ""); err != nil {
		return fmt.Errorf("create assessment: %w", err)
	}
	return w.putAssessmentControls(ctx, a)
}

// PutAssessment implements store.AssessmentWriter.
func (w *writer) PutAssessment(ctx context.Context, a *probity.Assessment) error {
	body, err := encodeAssessment(a)
	if err != nil {
		return fmt.Errorf("put assessment: %w", err)
	}
	res, err := w.q.ExecContext(ctx, w.db.rebind(`UPDATE assessments SET name = ?, status = ?, updated_at = ?, body = ?
		WHERE id = ? AND account_id = ?`), a.Name, string(a.Status), a.LastUpdatedAt.UnixNano(), body, a.ID, a.AccountID)
	if err := oneRow(res, err, "put assessment", a.ID); err != nil {
		return err
	}
	return w.putAssessmentControls(ctx, a)
}

// DeleteAssessment implements store.AssessmentWriter.
func (w *writer) DeleteAssessment(ctx context.Context, account, id string) error {
	for _, table := range []string{"assessment_delegations", "assessment_change_logs"} {
		if _, err := w.q.ExecContext(ctx, w.db.rebind(`DELETE FROM `+table+` WHERE assessment_id = ? AND account_id = ?`), id, account); err != nil {
			return fmt.Errorf("delete assessment: %w", err)
		}
	}
	res, err := w.q.ExecContext(ctx, w.db.rebind(`DELETE FROM assessments WHERE id = ? AND account_id = ?`), id, account)
	return oneRow(res, err, "delete assessment", id)
}

// oneRow returns nil when a statement changed a row, and ENOTFOUND when it changed none.
func oneRow(res interface{ RowsAffected() (int64, error) }, err error, op, id string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if n == 0 {
		return probity.Errorf(probity.ENOTFOUND, "assessment %s does not exist", id)
	}
	return nil
}

// Assessment implements store.AssessmentReader.
func (r reader) Assessment(ctx context.Context, account, id string) (*probity.Assessment, error) {
	a, err := scanAssessment(r.q.QueryRowContext(ctx, r.db.rebind(`SELECT `+assessmentColumns+` FROM assessments
		WHERE id = ? AND account_id = ?`), id, account))
	if isNoRows(err) {
		return nil, probity.Errorf(probity.ENOTFOUND, "assessment %s does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("get assessment: %w", err)
	}
	if err := r.withDelegations(ctx, []*probity.Assessment{a}); err != nil {
		return nil, err
	}
	return a, nil
}

// Assessments implements store.AssessmentReader.
func (r reader) Assessments(ctx context.Context, q store.AssessmentQuery) ([]probity.Assessment, error) {
	var where []string
	var args []any
	if q.Account != "" {
		where, args = append(where, `account_id = ?`), append(args, q.Account)
	}
	if q.Status != "" {
		where, args = append(where, `status = ?`), append(args, string(q.Status))
	}
	cond, after := afterCursor(q.After)
	query := `SELECT ` + assessmentColumns + ` FROM assessments WHERE 1 = 1`
	for _, w := range where {
		query += ` AND ` + w
	}
	rows, err := r.q.QueryContext(ctx, r.db.rebind(query+cond+` ORDER BY created_at, id LIMIT ?`), append(append(args, after...), q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list assessments: %w", err)
	}
	defer rows.Close()
	var out []*probity.Assessment
	for rows.Next() {
		a, err := scanAssessment(rows)
		if err != nil {
			return nil, fmt.Errorf("list assessments: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list assessments: %w", err)
	}
	rows.Close()
	if err := r.withDelegations(ctx, out); err != nil {
		return nil, err
	}
	list := make([]probity.Assessment, len(out))
	for i, a := range out {
		list[i] = *a
	}
	return list, nil
}

const delegationColumns = `id, account_id, assessment_id, control_set_id, role_arn, role_type, status, comment,
	created_by, created_at, updated_at`

func scanDelegation(s scanner, extra ...any) (*probity.Delegation, error) {
	var d probity.Delegation
	var created, updated int64
	dest := append([]any{&d.ID, &d.AccountID, &d.AssessmentID, &d.ControlSetID, &d.RoleARN, &d.RoleType, &d.Status,
		&d.Comment, &d.CreatedBy, &created, &updated}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	d.CreatedAt, d.LastUpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return &d, nil
}

// withDelegations reads the delegations of the assessments into them.
func (r reader) withDelegations(ctx context.Context, as []*probity.Assessment) error {
	for _, a := range as {
		rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT `+delegationColumns+` FROM assessment_delegations
			WHERE assessment_id = ? ORDER BY created_at, id`), a.ID)
		if err != nil {
			return fmt.Errorf("read delegations: %w", err)
		}
		a.Delegations = nil
		for rows.Next() {
			d, err := scanDelegation(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("read delegations: %w", err)
			}
			d.AssessmentName = a.Name
			a.Delegations = append(a.Delegations, *d)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("read delegations: %w", err)
		}
	}
	return nil
}

// DelegationsTo implements store.AssessmentReader.
func (r reader) DelegationsTo(ctx context.Context, q store.DelegationQuery) ([]probity.Delegation, error) {
	cond, after := afterCursor(q.After)
	cond = strings.ReplaceAll(strings.ReplaceAll(cond, "created_at", "d.created_at"), "id >", "d.id >")
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT d.`+strings.ReplaceAll(delegationColumns, ", ", ", d.")+`, a.name
		FROM assessment_delegations d JOIN assessments a ON a.id = d.assessment_id
		WHERE d.account_id = ? AND d.role_arn = ?`+cond+` ORDER BY d.created_at, d.id LIMIT ?`),
		append(append([]any{q.Account, q.RoleARN}, after...), q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list delegations: %w", err)
	}
	defer rows.Close()
	var out []probity.Delegation
	for rows.Next() {
		var name string
		d, err := scanDelegation(rows, &name)
		if err != nil {
			return nil, fmt.Errorf("list delegations: %w", err)
		}
		d.AssessmentName = name
		out = append(out, *d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list delegations: %w", err)
	}
	return out, nil
}

// PutDelegations implements store.AssessmentWriter.
func (w *writer) PutDelegations(ctx context.Context, ds []probity.Delegation) error {
	for _, d := range ds {
		_, err := w.q.ExecContext(ctx, w.db.rebind(`INSERT INTO assessment_delegations (`+delegationColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET status = excluded.status, comment = excluded.comment, updated_at = excluded.updated_at`),
			d.ID, d.AccountID, d.AssessmentID, d.ControlSetID, d.RoleARN, string(d.RoleType), string(d.Status), d.Comment,
			d.CreatedBy, d.CreatedAt.UnixNano(), d.LastUpdatedAt.UnixNano())
		if err := w.db.classify(err, "delegation "+d.ID+" conflicts", "assessment "+d.AssessmentID+" does not exist"); err != nil {
			return fmt.Errorf("put delegation: %w", err)
		}
	}
	return nil
}

// DeleteDelegations implements store.AssessmentWriter.
func (w *writer) DeleteDelegations(ctx context.Context, account, assessmentID string, ids []string) error {
	for _, id := range ids {
		res, err := w.q.ExecContext(ctx, w.db.rebind(`DELETE FROM assessment_delegations WHERE id = ? AND assessment_id = ? AND account_id = ?`),
			id, assessmentID, account)
		if err := oneRow(res, err, "delete delegation", id); err != nil {
			if probity.ErrorCode(err) == probity.ENOTFOUND {
				return probity.Errorf(probity.ENOTFOUND, "delegation %s does not exist", id)
			}
			return err
		}
	}
	return nil
}

const changeLogColumns = `id, account_id, assessment_id, control_set_id, control_id, object_type, object_name, action, created_at, created_by`

// AddChangeLogs implements store.AssessmentWriter. Each entry takes the next place (seq)
// in its assessment's log; the unique index on (assessment_id, seq) refuses a concurrent
// writer that took the same place rather than interleave two changes.
func (w *writer) AddChangeLogs(ctx context.Context, logs []probity.ChangeLog) error {
	for _, l := range logs {
		_, err := w.q.ExecContext(ctx, w.db.rebind(`INSERT INTO assessment_change_logs (`+changeLogColumns+`, seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
				(SELECT COALESCE(MAX(seq), 0) + 1 FROM assessment_change_logs WHERE assessment_id = ?))`),
			l.ID, l.AccountID, l.AssessmentID, l.ControlSetID, l.ControlID, string(l.ObjectType), l.ObjectName, string(l.Action),
			l.CreatedAt.UnixNano(), l.CreatedBy, l.AssessmentID)
		if err := w.db.classify(err, "change log "+l.ID+" already exists", "assessment "+l.AssessmentID+" does not exist"); err != nil {
			return fmt.Errorf("add change log: %w", err)
		}
	}
	return nil
}

// ChangeLogs implements store.AssessmentReader. Entries come in the order they were
// added (seq); the cursor's ID is the last entry read.
func (r reader) ChangeLogs(ctx context.Context, q store.ChangeLogQuery) ([]probity.ChangeLog, error) {
	query, args := `SELECT `+changeLogColumns+` FROM assessment_change_logs WHERE assessment_id = ? AND account_id = ?`,
		[]any{q.AssessmentID, q.Account}
	if q.ControlSetID != "" {
		query, args = query+` AND control_set_id = ?`, append(args, q.ControlSetID)
	}
	if q.ControlID != "" {
		query, args = query+` AND control_id = ?`, append(args, q.ControlID)
	}
	if !q.After.IsZero() {
		query += ` AND seq > (SELECT seq FROM assessment_change_logs WHERE id = ? AND assessment_id = ?)`
		args = append(args, q.After.ID, q.AssessmentID)
	}
	rows, err := r.q.QueryContext(ctx, r.db.rebind(query+` ORDER BY seq LIMIT ?`), append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list change logs: %w", err)
	}
	defer rows.Close()
	var out []probity.ChangeLog
	for rows.Next() {
		var l probity.ChangeLog
		var created int64
		if err := rows.Scan(&l.ID, &l.AccountID, &l.AssessmentID, &l.ControlSetID, &l.ControlID, &l.ObjectType,
			&l.ObjectName, &l.Action, &created, &l.CreatedBy); err != nil {
			return nil, fmt.Errorf("list change logs: %w", err)
		}
		l.CreatedAt = time.Unix(0, created).UTC()
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list change logs: %w", err)
	}
	return out, nil
}

// The reads outside transactions, each entering the gate for the connection it takes.

// Assessment implements store.Reader.
func (db *DB) Assessment(ctx context.Context, account, id string) (*probity.Assessment, error) {
	return gated(db, ctx, func() (*probity.Assessment, error) { return db.read.Assessment(ctx, account, id) })
}

// AssessmentAccess implements store.Reader.
func (db *DB) AssessmentAccess(ctx context.Context, account, id string) (*probity.Assessment, error) {
	return gated(db, ctx, func() (*probity.Assessment, error) { return db.read.AssessmentAccess(ctx, account, id) })
}

// Assessments implements store.Reader.
func (db *DB) Assessments(ctx context.Context, q store.AssessmentQuery) ([]probity.Assessment, error) {
	return gated(db, ctx, func() ([]probity.Assessment, error) { return db.read.Assessments(ctx, q) })
}

// ChangeLogs implements store.Reader.
func (db *DB) ChangeLogs(ctx context.Context, q store.ChangeLogQuery) ([]probity.ChangeLog, error) {
	return gated(db, ctx, func() ([]probity.ChangeLog, error) { return db.read.ChangeLogs(ctx, q) })
}

// DelegationsTo implements store.Reader.
func (db *DB) DelegationsTo(ctx context.Context, q store.DelegationQuery) ([]probity.Delegation, error) {
	return gated(db, ctx, func() ([]probity.Delegation, error) { return db.read.DelegationsTo(ctx, q) })
}
