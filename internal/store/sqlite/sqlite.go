// Package sqlite is the embedded library store: one SQLite file (pure Go driver), WAL
// journal, foreign keys on. A store's writers queue for one connection kept for writing
// and commit in groups; other processes on the file are kept apart by IMMEDIATE
// transactions and the busy timeout.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/probity-dev/probity/internal/store/sqlstore"
)

// Open opens (creating when missing) the database file at path with the default options
// and migrates it. It returns an error when the file cannot be opened or is not a Probity
// database.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	return OpenWith(ctx, path, sqlstore.Options{})
}

// OpenWith is Open with the options o: at most o.MaxConns connections to the file for
// reading and one for writing, all kept open once opened. WAL lets readers work beside
// the one writer.
func OpenWith(ctx context.Context, path string, o sqlstore.Options) (*sqlstore.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// The store checkpoints beside its writer (Dialect.Checkpoint), so that no commit
	// waits for the database file to be written and synced.
	q.Add("_pragma", "wal_autocheckpoint(0)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s, err := sqlstore.Open(ctx, db, sqlstore.Dialect{
		IsUnique:         hasCode(sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY),
		IsForeignKey:     hasCode(sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY),
		MaxRowsPerInsert: 500, // 18 columns x 500 stays under SQLite's 32766 parameters
		OneWriter:        true,
		Checkpoint:       "PRAGMA wal_checkpoint(PASSIVE)",
		AppendOnly:       appendOnly,
	}, o)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

func hasCode(codes ...int) func(error) bool {
	return func(err error) bool {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return false
		}
		for _, c := range codes {
			if e.Code() == c {
				return true
			}
		}
		return false
	}
}

// appendOnly implements sqlstore.Dialect.AppendOnly with BEFORE triggers that abort.
func appendOnly(table, allowDelete string) []string {
	when := ""
	if allowDelete != "" {
		when = " WHEN NOT (" + allowDelete + ")"
	}
	return []string{
		"CREATE TRIGGER " + table + "_no_update BEFORE UPDATE ON " + table +
			" BEGIN SELECT RAISE(ABORT, '" + table + " rows are append-only'); END",
		"CREATE TRIGGER " + table + "_no_delete BEFORE DELETE ON " + table + when +
			" BEGIN SELECT RAISE(ABORT, '" + table + " rows are append-only'); END",
	}
}
