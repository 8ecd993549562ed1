package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/probity-dev/probity"
)

// writer is the store.Tx of one Update, or of a group of them.
type writer struct {
	reader
	tx    querier
	later *deferred // in an optimistic group: where PutControls may hold its rows back
}

// PutControls implements store.Tx.
func (w *writer) PutControls(ctx context.Context, cs []*probity.Control) error {
	rows := make([][]any, 0, len(cs))
	for _, c := range cs {
		sources, err := encodeSources(c.ControlMappingSources)
		if err != nil {
			return fmt.Errorf("control %s: %w", c.ID, err)
		}
		rows = append(rows, []any{c.ID, c.ARN, c.Type, c.Name, c.Description, c.TestingInformation,
			c.ActionPlanTitle, c.ActionPlanInstructions, c.ControlSources, c.State, string(sources),
			marshalTags(c.Tags), c.CreatedAt.UnixNano(), c.CreatedBy, c.LastUpdatedAt.UnixNano(),
			c.LastUpdatedBy, c.ManagedBy, c.SourceDigest, c.AccountID, c.Domain, probity.ContentDigest(c)})
	}
	if w.later.hold(rows) {
		return nil
	}
	n, err := w.insert(ctx, "controls", controlWriteColumns, rows, upsertClause("controls", controlWriteColumns))
	if err := w.db.classify(err, "a control of the same type already has one of these names", ""); err != nil {
		return err
	}
	return sameAccount(n, len(rows), "control")
}

// PutFrameworks implements store.Tx.
func (w *writer) PutFrameworks(ctx context.Context, fs []*probity.Framework) error {
	rows := make([][]any, 0, len(fs))
	ids := make([]any, 0, len(fs))
	var sets, members [][]any
	for _, f := range fs {
		rows = append(rows, []any{f.ID, f.ARN, f.Type, f.Name, f.ComplianceType, f.Description, f.Logo,
			marshalTags(f.Tags), f.CreatedAt.UnixNano(), f.CreatedBy, f.LastUpdatedAt.UnixNano(),
			f.LastUpdatedBy, f.ManagedBy, f.AccountID})
		ids = append(ids, f.ID)
		for i, cs := range f.ControlSets {
			sets = append(sets, []any{f.ID, i, cs.ID, cs.Name})
			for k, cid := range cs.Controls {
				members = append(members, []any{f.ID, i, k, cid})
			}
		}
	}
	n, err := w.insert(ctx, "frameworks", frameworkColumns, rows, upsertClause("frameworks", frameworkColumns))
	if err = w.db.classify(err, "a framework of the same type already has one of these names", ""); err != nil {
		return err
	}
	if err := sameAccount(n, len(rows), "framework"); err != nil {
		return err
	}
	// Control sets are replaced whole; the cascade takes their controls with them.
	if _, err := w.deleteIn(ctx, "framework_control_sets", "", nil, "framework_id", ids); err != nil {
		return err
	}
	if _, err := w.insert(ctx, "framework_control_sets", "framework_id, position, id, name", sets, ""); err != nil {
		return fmt.Errorf("put control sets: %w", err)
	}
	_, err = w.insert(ctx, "framework_controls", "framework_id, set_position, position, control_id", members, "")
	if w.db.dialect.IsForeignKey != nil && w.db.dialect.IsForeignKey(err) {
		return probity.Errorf(probity.EINVALID, "a control set lists a control that does not exist")
	}
	return err
}

// sameAccount returns an ECONFLICT error unless an upsert wrote every row: the guard of
// upsertClause skips a row whose id another account holds.
func sameAccount(written int64, rows int, what string) error {
	if written != int64(rows) {
		return probity.Errorf(probity.ECONFLICT, "%d of %d %ss could not be written: their ids are taken", int64(rows)-written, rows, what)
	}
	return nil
}

// DeleteControls implements store.Tx.
func (w *writer) DeleteControls(ctx context.Context, account string, ids []string) error {
	err := w.deleteExisting(ctx, "controls", "control", account, ids)
	return w.db.classify(err, "", "a framework still uses one of these controls")
}

// DeleteFrameworks implements store.Tx.
func (w *writer) DeleteFrameworks(ctx context.Context, account string, ids []string) error {
	return w.deleteExisting(ctx, "frameworks", "framework", account, ids)
}

// deleteExisting deletes the account's rows by id and returns ENOTFOUND unless every id
// was the account's.
func (w *writer) deleteExisting(ctx context.Context, table, what, account string, ids []string) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	n, err := w.deleteIn(ctx, table, "account_id = ?", []any{account}, "id", args)
	if err != nil {
		return err
	}
	if n != int64(len(ids)) {
		return probity.Errorf(probity.ENOTFOUND, "%d of %d %ss to delete do not exist", int64(len(ids))-n, len(ids), what)
	}
	return nil
}

// deleteIn deletes the rows that pass filter (with its arguments; "" for all) and whose
// column is one of values, in batches, and returns how many rows went.
func (w *writer) deleteIn(ctx context.Context, table, filter string, filterArgs []any, column string, values []any) (int64, error) {
	if filter != "" {
		filter += " AND "
	}
	var total int64
	for len(values) > 0 {
		batch := values[:min(len(values), 500)]
		values = values[len(batch):]
		q := `DELETE FROM ` + table + ` WHERE ` + filter + column + ` IN (` + placeholders(len(batch)) + `)`
		res, err := w.tx.ExecContext(ctx, w.db.rebind(q), append(slices.Clone(filterArgs), batch...)...)
		if err != nil {
			return total, fmt.Errorf("delete from %s: %w", table, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("delete from %s: %w", table, err)
		}
		total += n
	}
	return total, nil
}

// insert writes rows with multi-row INSERT statements, each below the dialect's limit,
// and returns how many rows were inserted or updated.
func (w *writer) insert(ctx context.Context, table, columns string, rows [][]any, suffix string) (int64, error) {
	return insertRows(ctx, w.tx, w.db, table, columns, rows, suffix)
}

// insertRows is writer.insert through q.
func insertRows(ctx context.Context, q querier, db *DB, table, columns string, rows [][]any, suffix string) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	var total int64
	width := len(rows[0])
	per := max(1, db.dialect.MaxRowsPerInsert)
	tuple := "(" + placeholders(width) + ")"
	for len(rows) > 0 {
		batch := rows[:min(len(rows), per)]
		rows = rows[len(batch):]
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + columns + ") VALUES ")
		args := make([]any, 0, len(batch)*width)
		for i, r := range batch {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(tuple)
			args = append(args, r...)
		}
		b.WriteString(suffix)
		res, err := q.ExecContext(ctx, db.rebind(b.String()), args...)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// upsertClause replaces every column but the id when the id exists in the same account;
// a row whose id another account holds is left alone and not counted as written.
func upsertClause(table, columns string) string {
	var sets []string
	for _, c := range strings.Split(columns, ",") {
		c = strings.TrimSpace(c)
		if c != "id" {
			sets = append(sets, c+" = excluded."+c)
		}
	}
	return " ON CONFLICT (id) DO UPDATE SET " + strings.Join(sets, ", ") + " WHERE " + table + ".account_id = excluded.account_id"
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func marshalTags(tags map[string]string) string {
	if len(tags) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(tags) // a map of strings always marshals
	return string(b)
}
