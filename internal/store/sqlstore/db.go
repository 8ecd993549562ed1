// Package sqlstore is the library store over database/sql, shared by the SQLite and
// PostgreSQL backends. A Dialect holds everything in which they differ.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sync/semaphore"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// Dialect is what one SQL backend does its own way.
type Dialect struct {
	// Numbered says placeholders are $1, $2, ... instead of ?.
	Numbered bool
	// LockStatement, when set, returns the statement that takes an area's lock for the
	// rest of a write transaction; it runs first. Without it, the backend serialises
	// writers by itself (SQLite has one writer at a time).
	LockStatement func(store.Lock) string
	// View is how a read-only transaction over one snapshot begins.
	View sql.TxOptions
	// IsUnique and IsForeignKey classify constraint violations.
	IsUnique     func(error) bool
	IsForeignKey func(error) bool
	// MaxRowsPerInsert bounds multi-row inserts below the driver's parameter limit.
	MaxRowsPerInsert int
	// AppendOnly returns the statements that make table refuse every UPDATE, and every
	// DELETE but those of rows for which the SQL condition allowDelete (over OLD) holds;
	// an empty allowDelete allows none.
	AppendOnly func(table, allowDelete string) []string
	// Arrays says the driver binds Go slices as SQL arrays that unnest reads.
	Arrays bool
}

// DB is a store.Store on a database/sql handle. Its reads outside transactions go
// through prepared statements. It holds at most Options.MaxConns connections, and callers
// wait for one in order of arrival (see enter).
type DB struct {
	read    reader // outside transactions: each method enters the gate (gate.go)
	gate    *semaphore.Weighted
	sql     *sql.DB
	reads   *preparedReads
	dialect Dialect
}

var (
	_ store.Store  = (*DB)(nil)
	_ store.Reader = reader{}
	_ store.Tx     = (*writer)(nil)
)

// Open wraps db, bounds its connections as o says, applies pending migrations and returns
// the store. It returns an error when a migration fails; the database is then left at the
// last migration that succeeded.
func Open(ctx context.Context, db *sql.DB, d Dialect, o Options) (*DB, error) {
	o.bound(db)
	s := &DB{sql: db, gate: newGate(o), reads: &preparedReads{db: db, stmts: map[string]*sql.Stmt{}}, dialect: d}
	s.read = reader{q: s.reads, db: s}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Close closes the handle.
func (db *DB) Close() error {
	db.reads.close()
	return db.sql.Close()
}

// View implements store.Store.
func (db *DB) View(ctx context.Context, fn func(store.Reader) error) error {
	leave, err := db.enter(ctx)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer leave()
	opts := db.dialect.View
	opts.ReadOnly = true
	tx, err := db.sql.BeginTx(ctx, &opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	// Nothing was written: rolling back ends the snapshot and cannot lose anything.
	defer tx.Rollback()
	return fn(reader{q: tx, db: db})
}

// Update implements store.Store.
func (db *DB) Update(ctx context.Context, lock store.Lock, fn func(store.Tx) error) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if lock != store.LockNone && db.dialect.LockStatement != nil {
			if _, err := tx.ExecContext(ctx, db.dialect.LockStatement(lock)); err != nil {
				return fmt.Errorf("lock %s: %w", lock, err)
			}
		}
		return fn(&writer{reader: reader{q: tx, db: db}, tx: tx})
	})
}

func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	leave, err := db.enter(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer leave()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the first error is the one worth reporting
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// rebind turns ? placeholders into the dialect's.
func (db *DB) rebind(q string) string {
	if !db.dialect.Numbered {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// classify maps constraint violations to the domain's conflict and invalid errors.
func (db *DB) classify(err error, conflict, fk string) error {
	switch {
	case err == nil:
		return nil
	case db.dialect.IsUnique != nil && db.dialect.IsUnique(err):
		return probity.Errorf(probity.ECONFLICT, "%s", conflict)
	case db.dialect.IsForeignKey != nil && db.dialect.IsForeignKey(err):
		return probity.Errorf(probity.ECONFLICT, "%s", fk)
	}
	return err
}

// querier is what reads need from a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
