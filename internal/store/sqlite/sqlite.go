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
	// The store checkpoints beside its writer (Dialect.Checkpoint), so that no commit
	// waits for the database file to be written and synced.
	db, err := sql.Open("sqlite", DSN(path, "wal_autocheckpoint(0)"))
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

// DSN returns the data source name, for database/sql's "sqlite" driver that this package
// registers, of the database file at path with the settings every pool on a Probity
// database uses: a 30 s busy timeout, the WAL journal, foreign keys, synchronous NORMAL,
// then the extra pragmas (such as "wal_autocheckpoint(0)"); and IMMEDIATE transactions, so
// that writers in several pools or processes take the file's lock when they begin and wait
// their turn instead of failing to upgrade.
func DSN(path string, pragmas ...string) string {
	q := url.Values{"_pragma": {"busy_timeout(30000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"}}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
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
