package sqlstore

import (
	"context"
	"fmt"
)

// maxDeferred bounds the control rows a group holds back: a fn that puts more (a catalog
// apply) writes them at once, after the rows held so far.
const maxDeferred = 256

// deferred holds back the control rows that the fns of an optimistically run group put
// (runGroup), so that the group writes them in one statement: before the next statement
// of any fn that could see them, or before COMMIT. A fn reading one control by id does
// not need the rows of other ids written first, so a group of read-then-write updates
// costs one statement per update plus one, not two.
//
// A held-back write that fails cannot be laid at the door of the fn that made it: err
// then says so, and the group runs again with savepoints, where each fn writes at once.
type deferred struct {
	db   *DB
	q    querier // the group's transaction, holding nothing back
	rows [][]any
	ids  map[string]bool
	err  error // the first write of held-back rows that failed
}

// hold takes rows of controls (controlWriteColumns, in order) unless they would pass
// maxDeferred or one of their ids is held already; it reports whether it took them.
func (d *deferred) hold(rows [][]any) bool {
	if d == nil || len(d.rows)+len(rows) > maxDeferred {
		return false
	}
	for _, r := range rows {
		if d.ids[r[0].(string)] {
			return false
		}
	}
	if d.ids == nil {
		d.ids = map[string]bool{}
	}
	for _, r := range rows {
		d.ids[r[0].(string)] = true
	}
	d.rows = append(d.rows, rows...)
	return true
}

// before writes the rows held unless query, about to run with args, cannot see them: a
// read of one control by an id not held.
func (d *deferred) before(query string, args []any) {
	if d == nil || len(d.rows) == 0 {
		return
	}
	if query == d.db.controlByID {
		if id, ok := args[0].(string); ok && !d.ids[id] {
			return
		}
	}
	d.flush()
}

// flush writes the rows held, in the group's context: no caller's ctx may cut it short.
func (d *deferred) flush() {
	if d == nil || len(d.rows) == 0 {
		return
	}
	rows := d.rows
	d.rows, d.ids = nil, nil
	if d.err != nil {
		return // the group runs again anyway
	}
	n, err := insertRows(context.Background(), d.q, d.db, "controls", controlWriteColumns, rows, upsertClause("controls", controlWriteColumns))
	if err == nil {
		err = sameAccount(n, len(rows), "control")
	}
	if err != nil {
		d.err = fmt.Errorf("write the controls held back: %w", err)
	}
}

// failed reports whether a write of held-back rows failed.
func (d *deferred) failed() bool { return d != nil && d.err != nil }
