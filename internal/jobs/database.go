package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/probity-dev/probity/internal/store/sqlite"
)

// Backend is the kind of database River's queue lives in.
type Backend int

// Backends.
const (
	SQLite Backend = iota + 1
	PostgreSQL
)

// Database is River's own connection pool to the library's database. River's tables live
// beside the library's, but in a pool of their own, so that the queue's polling never waits
// for a connection behind library requests.
type Database struct {
	SQL     *sql.DB
	Backend Backend
}

// OpenDatabase opens a pool to the library database that dbURL names (sqlite:PATH, or a
// postgres:// URL). It returns an error for another kind of URL or a database that cannot
// be reached; the error never quotes a PostgreSQL URL, which may hold a password.
func OpenDatabase(ctx context.Context, dbURL string) (Database, error) {
	var d Database
	switch {
	case strings.HasPrefix(dbURL, "sqlite:") && len(dbURL) > len("sqlite:"):
		path := strings.TrimPrefix(dbURL, "sqlite:")
		// The library's settings, IMMEDIATE transactions among them, so that writers
		// here and in the library's pool wait their turn.
		db, err := sql.Open("sqlite", sqlite.DSN(path))
		if err != nil {
			return Database{}, fmt.Errorf("jobs: open %s: %w", path, err)
		}
		// SQLite has one writer at a time; River's own advice for its SQLite driver is one
		// connection, which also keeps its maintenance work from contending with itself.
		db.SetMaxOpenConns(1)
		d = Database{SQL: db, Backend: SQLite}
	case strings.HasPrefix(dbURL, "postgres://"), strings.HasPrefix(dbURL, "postgresql://"):
		cfg, err := pgx.ParseConfig(dbURL)
		if err != nil {
			return Database{}, fmt.Errorf("jobs: postgres URL is not valid")
		}
		db := stdlib.OpenDB(*cfg)
		db.SetMaxOpenConns(10)
		d = Database{SQL: db, Backend: PostgreSQL}
	default:
		return Database{}, fmt.Errorf("jobs: the database must be sqlite:PATH or a postgres:// URL")
	}
	if err := d.SQL.PingContext(ctx); err != nil {
		d.SQL.Close()
		return Database{}, fmt.Errorf("jobs: connect to the database: %w", err)
	}
	return d, nil
}

// Close closes the pool.
func (d Database) Close() error { return d.SQL.Close() }
