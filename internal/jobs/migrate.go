package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// migrateLock is the PostgreSQL advisory lock that serialises River migrations across
// processes starting at once ("rivm"); the library's own locks start at "prob".
const migrateLock = 0x7269766d

// driver returns River's driver for the backend: both work on *sql.Tx, so one client type
// and one code path serve both.
func (d Database) driver() riverdriver.Driver[*sql.Tx] {
	if d.Backend == SQLite {
		return riversqlite.New(d.SQL)
	}
	return riverdatabasesql.New(d.SQL)
}

// Migrate brings River's tables in d up to the version this build of River needs, with
// River's own migrator, in one transaction. Running it again, or from several processes at
// once, is safe: on PostgreSQL an advisory lock serialises them and SQLite has one writer at
// a time. It returns an error when a migration fails; the transaction then leaves the
// database as it was.
func Migrate(ctx context.Context, d Database, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := rivermigrate.New(d.driver(), &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	defer tx.Rollback() // after Commit, a no-op
	if d.Backend == PostgreSQL {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLock); err != nil {
			return fmt.Errorf("jobs: migrate: lock: %w", err)
		}
	}
	if _, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("jobs: migrate: commit: %w", err)
	}
	return nil
}
