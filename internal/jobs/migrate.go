package jobs

import (
	"context"
	"database/sql"
	"errors"
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
// River's own migrator. Running it again, or from several processes at once, is safe: on
// PostgreSQL a session advisory lock serialises the migrators (each of River's versions
// commits on its own there, as some alter enums that later statements use), and on SQLite
// all versions apply in one transaction, which takes the file's single write lock. It
// returns an error when a migration fails, leaving the versions before it applied.
func Migrate(ctx context.Context, d Database, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := rivermigrate.New(d.driver(), &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if d.Backend == PostgreSQL {
		return migratePostgres(ctx, d, m)
	}
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	defer tx.Rollback() // after Commit, a no-op
	if _, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("jobs: migrate: commit: %w", err)
	}
	return nil
}

// migratePostgres holds the migration lock on a connection of its own while River's
// migrator works through the pool.
func migratePostgres(ctx context.Context, d Database, m *rivermigrate.Migrator[*sql.Tx]) (err error) {
	if d.SQL.Stats().MaxOpenConnections == 1 {
		return errors.New("jobs: migrate: the PostgreSQL pool needs two connections")
	}
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return fmt.Errorf("jobs: migrate: lock: %w", err)
	}
	defer func() {
		// Unlock even when ctx has ended; closing the session would release it too.
		if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock); uerr != nil && err == nil {
			err = fmt.Errorf("jobs: migrate: unlock: %w", uerr)
		}
	}()
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}
