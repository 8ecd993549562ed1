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
	"sync"
	"sync/atomic"

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
	// OneWriter says the database takes one writer at a time whatever the area (SQLite):
	// every Update, of any lock, queues for one connection kept open for writing, rather
	// than each taking a connection of its own and waiting on the database's lock.
	OneWriter bool
	// Checkpoint, when set, is the statement that copies committed writes from the
	// write-ahead log into the database (SQLite, whose connections then leave it to the
	// store). The store runs it on a reading connection once every checkpointEvery
	// groups, beside the writer, instead of the writer stalling on it in a commit.
	Checkpoint string
	// AppendOnly returns the statements that make table refuse every UPDATE, and every
	// DELETE but those of rows for which the SQL condition allowDelete (over OLD) holds;
	// an empty allowDelete allows none.
	AppendOnly func(table, allowDelete string) []string
	// Arrays says the driver binds Go slices as SQL arrays that unnest reads.
	Arrays bool
	// ByteOrder is the collation clause (with its leading space) under which text
	// compares and sorts byte by byte, as Go compares strings; empty when that is the
	// database's default (SQLite).
	ByteOrder string
}

// checkpointEvery is how many committed groups a Dialect.Checkpoint waits for: a few
// hundred pages of log, short of SQLite's own 1,000.
const checkpointEvery = 32

// DB is a store.Store on a database/sql handle. Its reads outside transactions go
// through prepared statements. It holds at most Options.MaxConns connections (with
// Dialect.OneWriter, one more: the writer's), and callers wait for one in order of
// arrival (see enter). The Updates of one lock area commit in groups (group.go).
type DB struct {
	read    reader // outside transactions: each method enters the gate (gate.go)
	gate    *semaphore.Weighted
	sql     *sql.DB
	reads   *preparedReads
	dialect Dialect
	writer  *sql.Conn      // with Dialect.OneWriter: the connection of every Update
	writes  *preparedReads // with Dialect.OneWriter: the statements of the writer's groups

	mu     sync.Mutex
	queues map[store.Lock]*queue // the Updates of each area; with OneWriter only LockNone's

	sinceCheckpoint atomic.Int64   // groups committed since the last Dialect.Checkpoint began
	checkpointing   atomic.Bool    // a Dialect.Checkpoint runs
	background      sync.WaitGroup // the running Dialect.Checkpoint, waited for by Close

	access accessMemo // AssessmentAccess's decoded bodies

	controlByID string // the statement of reader.Control, which deferred knows
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
	writers := 0
	if d.OneWriter {
		writers = 1
	}
	o.bound(db, writers)
	s := &DB{sql: db, gate: newGate(o), reads: &preparedReads{db: db, stmts: map[string]*sql.Stmt{}}, dialect: d,
		queues: map[store.Lock]*queue{}}
	s.controlByID = s.rebind(`SELECT ` + controlColumns + ` FROM controls WHERE id = ? AND ` + visible)
	s.read = reader{q: s.reads, db: s}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	if d.OneWriter {
		w, err := db.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("open the writer's connection: %w", err)
		}
		s.writer = w
		s.writes = &preparedReads{db: db, stmts: map[string]*sql.Stmt{}}
	}
	return s, nil
}

// Close closes the handle.
func (db *DB) Close() error {
	db.background.Wait()
	db.reads.close()
	if db.writer != nil {
		db.writes.close()
		db.writer.Close()
	}
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

// Update implements store.Store. The Updates of one area queue and commit in groups
// (group.go); on a backend without OneWriter, LockNone's run apart, each in its own
// transaction, as they serialise nothing.
func (db *DB) Update(ctx context.Context, lock store.Lock, fn func(store.Tx) error) error {
	if lock == store.LockNone && !db.dialect.OneWriter {
		return db.inTx(ctx, func(tx *sql.Tx) error {
			return call(fn, &writer{reader: reader{q: tx, db: db}, tx: tx})
		})
	}
	return db.queue(lock).do(ctx, fn)
}

// queue returns the queue of the area's Updates: with OneWriter one for all areas, since
// the database serialises every writer anyway.
func (db *DB) queue(lock store.Lock) *queue {
	if db.dialect.OneWriter {
		lock = store.LockNone
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	q := db.queues[lock]
	if q == nil {
		q = &queue{run: func(group []*member) { db.runGroups(lock, db.groupConn, group) }}
		db.queues[lock] = q
	}
	return q
}

// groupConn returns what a group's transaction begins on, and the function that gives it
// back: the writer's connection, or the pool once the group has entered the gate. The
// wait for the gate is the group's, so no one caller's ctx cuts it short.
func (db *DB) groupConn() (txBeginner, func(), error) {
	if db.writer != nil {
		return db.writer, func() {}, nil
	}
	leave, err := db.enter(context.Background())
	if err != nil {
		return nil, nil, err
	}
	return db.sql, leave, nil
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

// committed notes a group's commit and, with a Dialect.Checkpoint, starts one in the
// background once checkpointEvery groups have committed and none runs. A checkpoint that
// fails is left for the next: the log keeps every commit until one succeeds.
func (db *DB) committed() {
	if db.dialect.Checkpoint == "" || db.sinceCheckpoint.Add(1) < checkpointEvery || !db.checkpointing.CompareAndSwap(false, true) {
		return
	}
	db.sinceCheckpoint.Store(0)
	db.background.Go(func() {
		defer db.checkpointing.Store(false)
		ctx := context.Background()
		leave, err := db.enter(ctx)
		if err != nil {
			return
		}
		defer leave()
		_, _ = db.sql.ExecContext(ctx, db.dialect.Checkpoint)
	})
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
