package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/evidence/record"
	"github.com/probity-dev/probity/internal/store"
)

// The evidence ledger's rows. An assessment's chain head (evidence_chains) carries its
// account; every read joins it, so another account's assessment reads as missing.

const evidenceSelect = `SELECT e.seq, e.id, e.folder_id, e.body, e.hash,
	CASE WHEN s.seq IS NULL THEN 0 ELSE 1 END
	FROM evidence e
	JOIN evidence_chains c ON c.assessment_id = e.assessment_id
	LEFT JOIN evidence_selections s ON s.assessment_id = e.assessment_id AND s.seq = e.seq `

func scanEvidence(sc interface{ Scan(...any) error }, account, assessment string) (*probity.Evidence, error) {
	var e probity.Evidence
	var body, hash []byte
	var selected int
	if err := sc.Scan(&e.Sequence, &e.ID, &e.EvidenceFolderID, &body, &hash, &selected); err != nil {
		return nil, err
	}
	if err := record.Decode(body, &e); err != nil {
		return nil, fmt.Errorf("evidence %s: %w", e.ID, err)
	}
	e.AccountID, e.AssessmentID = account, assessment
	e.AssessmentReportSelection = "No"
	if selected != 0 {
		e.AssessmentReportSelection = "Yes"
	}
	e.Hash = fmt.Sprintf("sha256:%x", hash)
	return &e, nil
}

// EvidenceChain implements store.Reader.
func (r reader) EvidenceChain(ctx context.Context, account, assessmentID string) (*store.EvidenceChain, error) {
	c := store.EvidenceChain{AccountID: account, AssessmentID: assessmentID}
	err := r.q.QueryRowContext(ctx, r.db.rebind(`SELECT seq, hash, purged, purged_hash FROM evidence_chains WHERE assessment_id = ? AND account_id = ?`),
		assessmentID, account).Scan(&c.Seq, &c.Hash, &c.Purged, &c.PurgedHash)
	if isNoRows(err) {
		return nil, probity.NotFound("evidence chain of assessment", assessmentID)
	}
	if err != nil {
		return nil, fmt.Errorf("read evidence chain: %w", err)
	}
	return &c, nil
}

// EvidenceChains implements store.Reader.
func (r reader) EvidenceChains(ctx context.Context) ([]store.EvidenceChain, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT account_id, assessment_id, seq, hash, purged, purged_hash FROM evidence_chains ORDER BY assessment_id`)
	if err != nil {
		return nil, fmt.Errorf("read evidence chains: %w", err)
	}
	defer rows.Close()
	var out []store.EvidenceChain
	for rows.Next() {
		var c store.EvidenceChain
		if err := rows.Scan(&c.AccountID, &c.AssessmentID, &c.Seq, &c.Hash, &c.Purged, &c.PurgedHash); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// EvidenceBatch implements store.Reader.
func (r reader) EvidenceBatch(ctx context.Context, account, assessmentID, key string) (*store.EvidenceBatch, error) {
	b := store.EvidenceBatch{Key: key}
	var at int64
	err := r.q.QueryRowContext(ctx, r.db.rebind(`SELECT b.first_seq, b.last_seq, b.hash, b.at FROM evidence_batches b
		JOIN evidence_chains c ON c.assessment_id = b.assessment_id
		WHERE b.assessment_id = ? AND b.key = ? AND c.account_id = ?`), assessmentID, key, account).Scan(&b.First, &b.Last, &b.Hash, &at)
	if isNoRows(err) {
		return nil, probity.NotFound("evidence batch", key)
	}
	if err != nil {
		return nil, fmt.Errorf("read evidence batch: %w", err)
	}
	b.At = time.Unix(0, at).UTC()
	return &b, nil
}

// Evidence implements store.Reader. The id carries its sequence (probity.EvidenceID), so
// the read is one primary-key lookup.
func (r reader) Evidence(ctx context.Context, account, assessmentID, id string) (*probity.Evidence, error) {
	seq, ok := probity.EvidenceSequence(id)
	if !ok {
		return nil, probity.NotFound("evidence", id)
	}
	e, err := scanEvidence(r.q.QueryRowContext(ctx, r.db.rebind(evidenceSelect+
		`WHERE e.assessment_id = ? AND e.seq = ? AND e.kind = 'evidence' AND c.account_id = ?`), assessmentID, seq, account),
		account, assessmentID)
	if isNoRows(err) || err == nil && e.ID != id {
		return nil, probity.NotFound("evidence", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read evidence: %w", err)
	}
	return e, nil
}

// EvidenceByFolder implements store.Reader.
func (r reader) EvidenceByFolder(ctx context.Context, p store.EvidencePage) ([]probity.Evidence, error) {
	rows, err := r.q.QueryContext(ctx, r.db.rebind(evidenceSelect+
		`WHERE e.folder_id = ? AND e.seq > ? AND e.assessment_id = ? AND c.account_id = ? ORDER BY e.folder_id, e.seq LIMIT ?`),
		p.FolderID, p.After, p.AssessmentID, p.AccountID, p.Limit)
	if err != nil {
		return nil, fmt.Errorf("read evidence of folder: %w", err)
	}
	defer rows.Close()
	out := make([]probity.Evidence, 0, min(p.Limit, 1000))
	for rows.Next() {
		e, err := scanEvidence(rows, p.AccountID, p.AssessmentID)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

const folderColumns = `f.id, f.assessment_id, f.control_set_id, f.control_id, f.control_name, f.data_source, f.day, f.author,
	f.total, f.selected, f.resources, f.configuration_data, f.manual, f.compliance_check, f.compliance_issues,
	f.user_activity, f.aws_service`

func scanFolder(sc interface{ Scan(...any) error }, account string) (*probity.EvidenceFolder, error) {
	f := probity.EvidenceFolder{AccountID: account}
	var day int64
	err := sc.Scan(&f.ID, &f.AssessmentID, &f.ControlSetID, &f.ControlID, &f.ControlName, &f.DataSource, &day, &f.Author,
		&f.TotalEvidence, &f.AssessmentReportSelectionCount, &f.EvidenceResourcesIncludedCount,
		&f.EvidenceByTypeConfigurationDataCount, &f.EvidenceByTypeManualCount, &f.EvidenceByTypeComplianceCheckCount,
		&f.EvidenceByTypeComplianceCheckIssuesCount, &f.EvidenceByTypeUserActivityCount, &f.EvidenceAWSServiceSourceCount)
	if err != nil {
		return nil, err
	}
	f.Date = time.Unix(0, day).UTC()
	f.Name = f.DataSource + " " + f.Date.Format(time.DateOnly)
	return &f, nil
}

// EvidenceFolder implements store.Reader.
func (r reader) EvidenceFolder(ctx context.Context, account, assessmentID, folderID string) (*probity.EvidenceFolder, error) {
	f, err := scanFolder(r.q.QueryRowContext(ctx, r.db.rebind(`SELECT `+folderColumns+` FROM evidence_folders f
		JOIN evidence_chains c ON c.assessment_id = f.assessment_id
		WHERE f.id = ? AND f.assessment_id = ? AND c.account_id = ?`), folderID, assessmentID, account), account)
	if isNoRows(err) {
		return nil, probity.NotFound("evidence folder", folderID)
	}
	if err != nil {
		return nil, fmt.Errorf("read evidence folder: %w", err)
	}
	return f, nil
}

// EvidenceFolders implements store.Reader.
func (r reader) EvidenceFolders(ctx context.Context, p store.FolderPage) ([]probity.EvidenceFolder, error) {
	q, args := folderPageQuery(p)
	rows, err := r.q.QueryContext(ctx, r.db.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("read evidence folders: %w", err)
	}
	defer rows.Close()
	var out []probity.EvidenceFolder
	for rows.Next() {
		f, err := scanFolder(rows, p.AccountID)
		if err != nil {
			return nil, err
		}
		out = append(out, *f)
	}
	return out, rows.Err()
}

// folderPageQuery returns the query of a page of folders and its arguments. The cursor is
// a row-value comparison, (day, id) > (?, ?), so that both backends seek to it in the
// (..., day, id) index: written as day > ? OR day = ? AND id > ?, PostgreSQL read the
// assessment's folders from the first and filtered them, a page deep in a list of
// thousands reading thousands of index entries.
func folderPageQuery(p store.FolderPage) (string, []any) {
	q := `SELECT ` + folderColumns + ` FROM evidence_folders f
		JOIN evidence_chains c ON c.assessment_id = f.assessment_id
		WHERE f.assessment_id = ? AND c.account_id = ?`
	args := []any{p.AssessmentID, p.AccountID}
	if p.ControlSetID != "" || p.ControlID != "" {
		q += ` AND f.control_set_id = ? AND f.control_id = ?`
		args = append(args, p.ControlSetID, p.ControlID)
	}
	if p.After.ID != "" {
		q += ` AND (f.day, f.id) > (?, ?)`
		args = append(args, p.After.Date.UnixNano(), p.After.ID)
	}
	q += ` ORDER BY f.day, f.id LIMIT ?`
	return q, append(args, p.Limit)
}

// EvidenceTotals implements store.Reader: one aggregate over the folder index, however
// many days the assessment has collected.
func (r reader) EvidenceTotals(ctx context.Context, account, assessmentID string) ([]probity.EvidenceFolder, error) {
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT f.control_set_id, f.control_id, f.data_source,
		SUM(f.total), SUM(f.selected), SUM(f.manual) FROM evidence_folders f
		JOIN evidence_chains c ON c.assessment_id = f.assessment_id
		WHERE f.assessment_id = ? AND c.account_id = ?
		GROUP BY f.control_set_id, f.control_id, f.data_source
		ORDER BY f.control_set_id, f.control_id, MIN(f.day), f.data_source`), assessmentID, account)
	if err != nil {
		return nil, fmt.Errorf("read evidence totals: %w", err)
	}
	defer rows.Close()
	var out []probity.EvidenceFolder
	for rows.Next() {
		f := probity.EvidenceFolder{AccountID: account, AssessmentID: assessmentID}
		if err := rows.Scan(&f.ControlSetID, &f.ControlID, &f.DataSource, &f.TotalEvidence,
			&f.AssessmentReportSelectionCount, &f.EvidenceByTypeManualCount); err != nil {
			return nil, fmt.Errorf("read evidence totals: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// EvidenceDays implements store.Reader.
func (r reader) EvidenceDays(ctx context.Context, account, assessmentID, controlID string, from, to time.Time) ([]probity.EvidenceDay, error) {
	q := `SELECT d.day, d.control_id, d.compliant, d.non_compliant, d.inconclusive FROM evidence_days d
		JOIN evidence_chains c ON c.assessment_id = d.assessment_id
		WHERE d.assessment_id = ? AND c.account_id = ? AND d.day >= ? AND d.day <= ?`
	args := []any{assessmentID, account, probity.Day(from).UnixNano(), probity.Day(to).UnixNano()}
	if controlID != "" {
		q += ` AND d.control_id = ?`
		args = append(args, controlID)
	}
	rows, err := r.q.QueryContext(ctx, r.db.rebind(q+` ORDER BY d.day, d.control_id`), args...)
	if err != nil {
		return nil, fmt.Errorf("read evidence days: %w", err)
	}
	defer rows.Close()
	var out []probity.EvidenceDay
	for rows.Next() {
		d := probity.EvidenceDay{AssessmentID: assessmentID}
		var day int64
		if err := rows.Scan(&day, &d.ControlID, &d.Compliant, &d.NonCompliant, &d.Inconclusive); err != nil {
			return nil, err
		}
		d.Date = time.Unix(0, day).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// ScanEvidence implements store.Reader.
func (r reader) ScanEvidence(ctx context.Context, assessmentID string, after int64, fn func(*store.EvidenceRow) error) error {
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT seq, id, kind, folder_id, body, hash, at FROM evidence
		WHERE assessment_id = ? AND seq > ? ORDER BY seq`), assessmentID, after)
	if err != nil {
		return fmt.Errorf("scan evidence: %w", err)
	}
	defer rows.Close()
	var row store.EvidenceRow
	var body, hash sql.RawBytes
	var at int64
	for rows.Next() {
		if err := rows.Scan(&row.Seq, &row.ID, &row.Kind, &row.FolderID, &body, &hash, &at); err != nil {
			return fmt.Errorf("scan evidence: %w", err)
		}
		row.Body, row.Hash, row.At = body, hash, time.Unix(0, at).UTC()
		if err := fn(&row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan evidence: %w", err)
	}
	return nil
}

// EvidenceBefore implements store.Reader.
func (r reader) EvidenceBefore(ctx context.Context, assessmentID string, before time.Time) (int64, error) {
	var first, head sql.NullInt64
	err := r.q.QueryRowContext(ctx, r.db.rebind(`SELECT (SELECT min(seq) FROM evidence WHERE assessment_id = ? AND at >= ?),
		(SELECT max(seq) FROM evidence WHERE assessment_id = ?)`), assessmentID, before.UnixNano(), assessmentID).Scan(&first, &head)
	if err != nil {
		return 0, fmt.Errorf("read evidence times: %w", err)
	}
	if first.Valid {
		return first.Int64 - 1, nil
	}
	return head.Int64, nil
}

// EvidenceCheckpoints implements store.Reader.
func (r reader) EvidenceCheckpoints(ctx context.Context, account, assessmentID string) ([]store.EvidenceCheckpoint, error) {
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT k.seq, k.hash, k.at, k.reason, k.key_id, k.signature
		FROM evidence_checkpoints k JOIN evidence_chains c ON c.assessment_id = k.assessment_id
		WHERE k.assessment_id = ? AND c.account_id = ? ORDER BY k.seq`), assessmentID, account)
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	defer rows.Close()
	var out []store.EvidenceCheckpoint
	for rows.Next() {
		c := store.EvidenceCheckpoint{AccountID: account, AssessmentID: assessmentID}
		var at int64
		if err := rows.Scan(&c.Seq, &c.Hash, &at, &c.Reason, &c.KeyID, &c.Signature); err != nil {
			return nil, err
		}
		c.At = time.Unix(0, at).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// LedgerKeys implements store.Reader.
func (r reader) LedgerKeys(ctx context.Context) ([]store.LedgerKey, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT id, public_key, sealed_private, created_at FROM ledger_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("read ledger keys: %w", err)
	}
	defer rows.Close()
	var out []store.LedgerKey
	for rows.Next() {
		var k store.LedgerKey
		var sealed string
		var at int64
		if err := rows.Scan(&k.ID, &k.PublicKey, &sealed, &at); err != nil {
			return nil, err
		}
		if k.SealedPrivate, err = base64.StdEncoding.DecodeString(sealed); err != nil {
			return nil, fmt.Errorf("ledger key %s: %w", k.ID, err)
		}
		k.CreatedAt = time.Unix(0, at).UTC()
		out = append(out, k)
	}
	return out, rows.Err()
}

// AppendEvidence implements store.Tx. The head moves first: on PostgreSQL a concurrent
// appender of the same chain waits on that row and then finds the head moved.
func (w *writer) AppendEvidence(ctx context.Context, a *store.EvidenceAppend) error {
	if len(a.Rows) == 0 {
		return nil
	}
	last := a.Rows[len(a.Rows)-1]
	if err := w.moveHead(ctx, a.AccountID, a.AssessmentID, a.After, last.Seq, last.Hash, -1, nil); err != nil {
		return err
	}
	at := a.At.UnixNano()
	_, err := w.tx.ExecContext(ctx, w.db.rebind(`INSERT INTO evidence_batches (assessment_id, key, first_seq, last_seq, hash, at) VALUES (?, ?, ?, ?, ?, ?)`),
		a.AssessmentID, a.Key, a.Rows[0].Seq, last.Seq, last.Hash, at)
	if err := w.db.classify(err, "the evidence batch's idempotency key was used", ""); err != nil {
		return err
	}
	if err := w.insertEvidence(ctx, a.AssessmentID, a.Rows, at); err != nil {
		return err
	}
	folders := make([][]any, 0, len(a.Folders))
	for _, f := range a.Folders {
		folders = append(folders, []any{f.ID, a.AssessmentID, f.ControlSetID, f.ControlID, f.ControlName, f.DataSource,
			probity.Day(f.Date).UnixNano(), f.Author, f.TotalEvidence, f.AssessmentReportSelectionCount,
			f.EvidenceResourcesIncludedCount, f.EvidenceByTypeConfigurationDataCount, f.EvidenceByTypeManualCount,
			f.EvidenceByTypeComplianceCheckCount, f.EvidenceByTypeComplianceCheckIssuesCount,
			f.EvidenceByTypeUserActivityCount, f.EvidenceAWSServiceSourceCount})
	}
	if _, err := w.insert(ctx, "evidence_folders", `id, assessment_id, control_set_id, control_id, control_name, data_source, day, author,
		total, selected, resources, configuration_data, manual, compliance_check, compliance_issues, user_activity, aws_service`,
		folders, ` ON CONFLICT (id) DO UPDATE SET `+addColumns("evidence_folders", "total", "selected", "resources",
			"configuration_data", "manual", "compliance_check", "compliance_issues", "user_activity", "aws_service")); err != nil {
		return fmt.Errorf("count evidence folders: %w", err)
	}
	days := make([][]any, 0, len(a.Days))
	for _, d := range a.Days {
		days = append(days, []any{a.AssessmentID, probity.Day(d.Date).UnixNano(), d.ControlID, d.Compliant, d.NonCompliant, d.Inconclusive})
	}
	if _, err := w.insert(ctx, "evidence_days", `assessment_id, day, control_id, compliant, non_compliant, inconclusive`,
		days, ` ON CONFLICT (assessment_id, day, control_id) DO UPDATE SET `+addColumns("evidence_days", "compliant", "non_compliant", "inconclusive")); err != nil {
		return fmt.Errorf("count evidence days: %w", err)
	}
	return nil
}

func addColumns(table string, cols ...string) string {
	s := ""
	for i, c := range cols {
		if i > 0 {
			s += ", "
		}
		s += c + " = " + table + "." + c + " + excluded." + c
	}
	return s
}

// moveHead moves the chain's head from after to (seq, hash), creating the chain when after
// is 0, and records a purge point when purged is not negative. It returns ECONFLICT when
// the head is elsewhere or the assessment's chain is another account's.
func (w *writer) moveHead(ctx context.Context, account, assessment string, after, seq int64, hash []byte, purged int64, purgedHash []byte) error {
	moved := probity.Errorf(probity.ECONFLICT, "the evidence chain of assessment %s moved on from sequence %d", assessment, after)
	if after == 0 {
		_, err := w.tx.ExecContext(ctx, w.db.rebind(`INSERT INTO evidence_chains (assessment_id, account_id, seq, hash) VALUES (?, ?, ?, ?)`),
			assessment, account, seq, hash)
		if w.db.dialect.IsUnique != nil && w.db.dialect.IsUnique(err) {
			return moved
		}
		return err
	}
	q, args := `UPDATE evidence_chains SET seq = ?, hash = ? WHERE assessment_id = ? AND account_id = ? AND seq = ?`,
		[]any{seq, hash, assessment, account, after}
	if purged >= 0 {
		q, args = `UPDATE evidence_chains SET seq = ?, hash = ?, purged = ?, purged_hash = ? WHERE assessment_id = ? AND account_id = ? AND seq = ?`,
			[]any{seq, hash, purged, purgedHash, assessment, account, after}
	}
	res, err := w.tx.ExecContext(ctx, w.db.rebind(q), args...)
	if err != nil {
		return fmt.Errorf("move evidence chain: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return moved
	}
	return nil
}

// insertEvidence inserts rows in multi-row statements, or on a dialect with arrays in one
// statement over a column array each, which PostgreSQL parses and plans much faster.
func (w *writer) insertEvidence(ctx context.Context, assessment string, rows []store.EvidenceRow, at int64) error {
	if w.db.dialect.Arrays {
		seqs, ids, kinds, folders, bodies, hashes := make([]int64, len(rows)), make([]string, len(rows)),
			make([]string, len(rows)), make([]string, len(rows)), make([]string, len(rows)), make([][]byte, len(rows))
		for i, r := range rows {
			seqs[i], ids[i], kinds[i], folders[i], bodies[i], hashes[i] = r.Seq, r.ID, r.Kind, r.FolderID, string(r.Body), r.Hash
		}
		_, err := w.tx.ExecContext(ctx, `INSERT INTO evidence (assessment_id, seq, id, kind, folder_id, body, hash, at)
			SELECT $1, * , $8 FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[])`,
			assessment, seqs, ids, kinds, folders, bodies, hashes, at)
		return w.db.classify(err, "the evidence chain already holds these sequences", "")
	}
	vals := make([][]any, len(rows))
	flat := make([]any, 0, 8*len(rows))
	for i, r := range rows {
		flat = append(flat, assessment, r.Seq, r.ID, r.Kind, r.FolderID, string(r.Body), r.Hash, at)
		vals[i] = flat[8*i : 8*i+8 : 8*i+8]
	}
	_, err := w.insert(ctx, "evidence", "assessment_id, seq, id, kind, folder_id, body, hash, at", vals, "")
	if err := w.db.classify(err, "the evidence chain already holds these sequences", ""); err != nil {
		return err
	}
	return nil
}

// PurgeEvidence implements store.Tx. evidence_purging lets the append-only trigger pass
// the deletes of this transaction, and only those: its row goes before the commit.
func (w *writer) PurgeEvidence(ctx context.Context, account, assessmentID string, after, upto int64, uptoHash []byte, purge store.EvidenceRow) error {
	if err := w.moveHead(ctx, account, assessmentID, after, purge.Seq, purge.Hash, upto, uptoHash); err != nil {
		return err
	}
	if err := w.insertEvidence(ctx, assessmentID, []store.EvidenceRow{purge}, purge.At.UnixNano()); err != nil {
		return err
	}
	for _, q := range []string{
		`INSERT INTO evidence_purging (assessment_id, seq) VALUES (?, ?)`,
		`DELETE FROM evidence WHERE assessment_id = ? AND seq <= ?`,
		`DELETE FROM evidence_selections WHERE assessment_id = ? AND seq <= ?`,
		`DELETE FROM evidence_batches WHERE assessment_id = ? AND last_seq <= ?`,
	} {
		if _, err := w.tx.ExecContext(ctx, w.db.rebind(q), assessmentID, upto); err != nil {
			return fmt.Errorf("purge evidence: %w", err)
		}
	}
	if _, err := w.tx.ExecContext(ctx, w.db.rebind(`DELETE FROM evidence_purging WHERE assessment_id = ?`), assessmentID); err != nil {
		return fmt.Errorf("purge evidence: %w", err)
	}
	return nil
}

// SetEvidenceSelection implements store.Tx.
func (w *writer) SetEvidenceSelection(ctx context.Context, account, assessmentID string, ids []string, selected bool) error {
	for _, id := range ids {
		e, err := w.Evidence(ctx, account, assessmentID, id)
		if err != nil {
			return err
		}
		q, delta := `INSERT INTO evidence_selections (assessment_id, seq) VALUES (?, ?) ON CONFLICT DO NOTHING`, 1
		if !selected {
			q, delta = `DELETE FROM evidence_selections WHERE assessment_id = ? AND seq = ?`, -1
		}
		res, err := w.tx.ExecContext(ctx, w.db.rebind(q), assessmentID, e.Sequence)
		if err != nil {
			return fmt.Errorf("select evidence: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if _, err := w.tx.ExecContext(ctx, w.db.rebind(`UPDATE evidence_folders SET selected = selected + ? WHERE id = ?`), delta, e.EvidenceFolderID); err != nil {
				return fmt.Errorf("select evidence: %w", err)
			}
		}
	}
	return nil
}

// PutEvidenceCheckpoint implements store.Tx.
func (w *writer) PutEvidenceCheckpoint(ctx context.Context, c *store.EvidenceCheckpoint) error {
	_, err := w.tx.ExecContext(ctx, w.db.rebind(`INSERT INTO evidence_checkpoints (assessment_id, seq, hash, at, reason, key_id, signature)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), c.AssessmentID, c.Seq, c.Hash, c.At.UnixNano(), c.Reason, c.KeyID, c.Signature)
	return w.db.classify(err, "the chain has a checkpoint at that sequence", "")
}

// PutLedgerKey implements store.Tx.
func (w *writer) PutLedgerKey(ctx context.Context, k *store.LedgerKey) error {
	_, err := w.tx.ExecContext(ctx, w.db.rebind(`INSERT INTO ledger_keys (id, public_key, sealed_private, created_at) VALUES (?, ?, ?, ?)`),
		k.ID, k.PublicKey, base64.StdEncoding.EncodeToString(k.SealedPrivate), k.CreatedAt.UnixNano())
	return w.db.classify(err, "a ledger key with that id exists", "")
}

// appendOnlyEvidence makes evidence and checkpoint rows refuse UPDATE and DELETE (run
// after migration 70). Evidence rows may be deleted only up to the sequence that
// evidence_purging names for their assessment.
func appendOnlyEvidence(ctx context.Context, db *DB, tx *sql.Tx) error {
	if db.dialect.AppendOnly == nil {
		return nil // a bare Dialect, as in this package's tests; both backends set it
	}
	stmts := db.dialect.AppendOnly("evidence",
		`EXISTS (SELECT 1 FROM evidence_purging p WHERE p.assessment_id = OLD.assessment_id AND OLD.seq <= p.seq)`)
	stmts = append(stmts, db.dialect.AppendOnly("evidence_checkpoints", "")...)
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
