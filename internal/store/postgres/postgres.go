// Package postgres is the shared library store for scale-out deployments: any number of
// Probity processes on one PostgreSQL database, writers of each area serialised by an advisory lock.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/sqlstore"
)

// lockBase is the first of the advisory lock keys, one per store.Lock, that serialise
// the writers of an area across processes.
const lockBase = 0x70726f62 // "prob"

func lockStatement(l store.Lock) string {
	return fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", lockBase+int64(l))
}

// Open connects to the database at dsn (a postgres:// URL) with the default options and
// migrates it. It returns an error when the server cannot be reached or a migration fails.
func Open(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	return OpenWith(ctx, dsn, sqlstore.Options{})
}

// OpenWith is Open with the options o: at most o.MaxConns sessions, all kept open once
// opened.
func OpenWith(ctx context.Context, dsn string, o sqlstore.Options) (*sqlstore.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the URL, password included; say only what is wrong.
		return nil, fmt.Errorf("postgres URL is not valid")
	}
	db := stdlib.OpenDB(*cfg)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	s, err := sqlstore.Open(ctx, db, sqlstore.Dialect{
		Numbered:         true,
		LockStatement:    lockStatement,
		View:             sql.TxOptions{Isolation: sql.LevelRepeatableRead},
		IsUnique:         hasState("23505"),
		IsForeignKey:     hasState("23503"),
		MaxRowsPerInsert: 1000,
		AppendOnly:       appendOnly,
		Arrays:           true,
		ByteOrder:        ` COLLATE "C"`,
	}, o)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func hasState(code string) func(error) bool {
	return func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == code
	}
}

// appendOnly implements sqlstore.Dialect.AppendOnly with a row trigger that raises on
// UPDATE and on DELETE but when allowDelete holds, and a statement trigger that refuses
// TRUNCATE.
func appendOnly(table, allowDelete string) []string {
	allow := "false"
	if allowDelete != "" {
		allow = allowDelete
	}
	fn := table + "_append_only"
	return []string{
		"CREATE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
			"IF TG_OP = 'DELETE' AND (" + allow + ") THEN RETURN OLD; END IF; " +
			"RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME; END $$",
		"CREATE TRIGGER " + fn + " BEFORE UPDATE OR DELETE ON " + table + " FOR EACH ROW EXECUTE FUNCTION " + fn + "()",
		"CREATE TRIGGER " + fn + "_truncate BEFORE TRUNCATE ON " + table + " FOR EACH STATEMENT EXECUTE FUNCTION " + fn + "()",
	}
}
