package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/store"
)

// Waiting returns how many Updates of the area wait in its queue, not yet taken by a group.
func (db *DB) Waiting(lock store.Lock) int {
	q := db.queue(lock)
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiting)
}

// ExplainFolderPage returns the plan the backend makes for EvidenceFolders' query of p,
// one line per node: SQLite's EXPLAIN QUERY PLAN details, or PostgreSQL's EXPLAIN with
// sequential scans disabled (on a test's small tables the planner would otherwise
// prefer them, whatever the query).
func (db *DB) ExplainFolderPage(ctx context.Context, p store.FolderPage) (string, error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	q, args := folderPageQuery(p)
	explain := "EXPLAIN "
	if db.dialect.OneWriter {
		explain = "EXPLAIN QUERY PLAN "
	} else if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
		return "", err
	}
	rows, err := conn.QueryContext(ctx, db.rebind(explain+q), args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var plan []string
	for rows.Next() {
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		if err := rows.Scan(vals...); err != nil {
			return "", err
		}
		plan = append(plan, fmt.Sprint(*vals[len(vals)-1].(*any))) // the detail, or PostgreSQL's one column
	}
	return strings.Join(plan, "\n"), rows.Err()
}

// AccessDecodes returns how many assessment bodies AssessmentAccess has decoded.
func (db *DB) AccessDecodes() int64 { return db.access.decodes.Load() }
