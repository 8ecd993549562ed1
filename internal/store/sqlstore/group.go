package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/probity-dev/probity/internal/store"
)

// maxGroup bounds the fns of one group, so that a group's transaction, and the wait of
// whoever arrives while it runs, stay short however many writers queue. PostgreSQL
// tracks up to 64 subtransactions (one per savepoint that wrote) of a transaction cheaply.
const maxGroup = 64

// queue is where the Updates of one lock area wait to commit together. While a group of
// them runs, the Updates that arrive queue; when it has committed, the first of them leads
// the next group, which takes every Update queued by then (up to maxGroup). Writers of the
// area are thus serialised, and under load one transaction, one lock and one COMMIT serve
// many of them.
type queue struct {
	// run runs a group: it sets every member's err, and must leave it nil only for a
	// member whose writes have been committed.
	run func(group []*member)

	mu      sync.Mutex
	waiting []*member
	leading bool // a group is running or about to; false only while waiting is empty
}

// member is one Update in a queue.
type member struct {
	ctx  context.Context
	fn   func(store.Tx) error
	err  error
	done chan struct{} // closed once err is final
	lead chan struct{} // gets a value when this member is to run the next group
}

// do queues fn and returns its outcome once the group it ran in has committed or rolled
// back. A caller whose ctx ends while it is still waiting in the queue leaves it and gets
// ctx's error; once a group has taken it, it waits for that group's outcome (bounded by
// the group, which stops running fns whose ctx has ended).
func (q *queue) do(ctx context.Context, fn func(store.Tx) error) error {
	m := &member{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	q.mu.Lock()
	q.waiting = append(q.waiting, m)
	if !q.leading {
		q.leading = true
		m.lead <- struct{}{}
	}
	q.mu.Unlock()
	cancel := ctx.Done()
	for {
		select {
		case <-m.done:
			return m.err
		case <-m.lead:
			q.runNext()
		case <-cancel:
			q.mu.Lock()
			if i := slices.Index(q.waiting, m); i >= 0 && len(m.lead) == 0 {
				q.waiting = slices.Delete(q.waiting, i, i+1)
				q.mu.Unlock()
				return ctx.Err()
			}
			q.mu.Unlock()
			// A group has taken m, or m is to lead the next one: wait for the outcome.
			cancel = nil
		}
	}
}

// runNext runs the next group, then hands the lead to the first member still waiting. It
// finishes every member of the group whatever happens, even if a fn ends its goroutine
// (runtime.Goexit), so that no other caller waits forever.
func (q *queue) runNext() {
	q.mu.Lock()
	n := min(len(q.waiting), maxGroup)
	group := slices.Clone(q.waiting[:n])
	q.waiting = slices.Delete(q.waiting, 0, n)
	q.mu.Unlock()
	finished := false
	defer func() {
		if !finished {
			// A fn ended the goroutine: the group's transaction was rolled back.
			for _, m := range group {
				m.err = cmpErr(m.err, errors.New("update: a fn of the group ended its goroutine; nothing was committed"))
				close(m.done)
			}
		}
		q.mu.Lock()
		if len(q.waiting) > 0 {
			q.waiting[0].lead <- struct{}{}
		} else {
			q.leading = false
		}
		q.mu.Unlock()
	}()
	q.run(group)
	finished = true
	for _, m := range group {
		close(m.done)
	}
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// runGroups runs the members' fns in one transaction on a connection from conn, the lock
// of the area taken first, and commits. The members whose fn succeeded get nil only when
// COMMIT succeeded; when it fails they all get its error.
//
// A group first runs optimistically: its fns one after another with nothing between them,
// as one transaction. When a fn fails (returns an error, panics, or its ctx ends), that
// transaction is rolled back: the member keeps its error, and the rest of the group (the
// fns that succeeded before it, again, and those not yet run) goes on in a new transaction
// in which each fn runs inside a savepoint, so that a fn that fails there has only its own
// writes rolled back. A fn thus runs at most twice in the usual case, and a group with no
// failure costs no statement beyond its fns', BEGIN, the lock and COMMIT. The control
// rows its fns put are held back and written together (deferred.go); when that write
// fails, every fn of the group runs again with savepoints, where each writes at once.
//
// When the transaction itself is lost (a savepoint cannot be set, released or rolled back
// to, as when SQLite abandons a transaction after an I/O error), the members that ran get
// that error and the members not yet run go on in a new transaction.
func (db *DB) runGroups(lock store.Lock, conn func() (txBeginner, func(), error), group []*member) {
	saves := false
	for len(group) > 0 {
		group, saves = db.runGroup(lock, conn, group, saves)
	}
}

// runGroup is one transaction of runGroups, with savepoints around each fn when saves is
// set and the group has more than one member. It returns the members to run again in a
// new transaction and whether that one needs savepoints. With savepoints they are always
// fewer than it was given, so runGroups ends.
func (db *DB) runGroup(lock store.Lock, conn func() (txBeginner, func(), error), group []*member, saves bool) (rest []*member, restSaves bool) {
	ctx := context.Background() // the group's, not any one caller's: no cancel may abort it
	begin, release, err := conn()
	if err != nil {
		failAll(group, fmt.Errorf("begin: %w", err))
		return nil, false
	}
	defer release()
	tx, err := begin.BeginTx(ctx, nil)
	if err != nil {
		failAll(group, fmt.Errorf("begin: %w", err))
		return nil, false
	}
	defer tx.Rollback() // after Commit a no-op; otherwise nothing of the group was committed
	if lock != store.LockNone && db.dialect.LockStatement != nil {
		if _, err := tx.ExecContext(ctx, db.dialect.LockStatement(lock)); err != nil {
			failAll(group, fmt.Errorf("lock %s: %w", lock, err))
			return nil, false
		}
	}
	saves = saves && len(group) > 1
	var later *deferred
	if !saves && len(group) > 1 {
		later = &deferred{db: db, q: guarded{tx: tx, stmts: db.writes}}
	}
	g := guarded{tx: tx, stmts: db.writes, later: later}
	w := &writer{reader: reader{q: g, db: db}, tx: g, later: later}
	var ran []*member
	// One savepoint serves every fn in turn: rolling back to it keeps it for the next fn,
	// and releasing it after a fn that succeeded sets it again in the same round trip.
	if saves {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT g"); err != nil {
			failAll(group, fmt.Errorf("begin: %w", err))
			return nil, false
		}
	}
	for i, m := range group {
		if m.err = m.ctx.Err(); m.err != nil {
			continue
		}
		m.err = call(m.fn, w)
		if m.err == nil {
			// A caller that gave up while its fn ran is told so, and its writes go.
			m.err = m.ctx.Err()
		}
		if !saves {
			if later.failed() {
				// Whose write failed is not known: every fn that ran runs again.
				return append(ran, group[i:]...), true
			}
			if m.err != nil {
				// Only a rollback takes this fn's writes back: the others run again.
				return append(ran, group[i+1:]...), len(ran) > 0
			}
			ran = append(ran, m)
			continue
		}
		next := "RELEASE SAVEPOINT g; SAVEPOINT g"
		if m.err != nil {
			next = "ROLLBACK TO SAVEPOINT g"
		} else {
			ran = append(ran, m)
		}
		if i == len(group)-1 && m.err == nil {
			break // COMMIT keeps what the savepoint holds
		}
		if _, err := tx.ExecContext(ctx, next); err != nil {
			failAll(ran, fmt.Errorf("update: the transaction was lost: %w", err))
			return group[i+1:], true
		}
	}
	if len(ran) == 0 {
		return nil, false // nothing to commit; the deferred rollback ends the transaction
	}
	if later.flush(); later.failed() {
		return ran, true
	}
	if err := tx.Commit(); err != nil {
		failAll(ran, fmt.Errorf("commit: %w", err))
		return nil, false
	}
	db.committed()
	return nil, false
}

func failAll(group []*member, err error) {
	for _, m := range group {
		m.err = err
	}
}

// call runs fn and turns a panic into its error, so that one fn cannot take down the
// group it shares a transaction with.
func call(fn func(store.Tx) error, tx store.Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("update: panic: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(tx)
}

// txBeginner is a *sql.DB or a *sql.Conn.
type txBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// guarded is the querier of a group's transaction. A statement starts only while its
// caller's ctx is live, and once started it is not interrupted when ctx ends: an
// interrupted statement may abort the whole transaction (PostgreSQL until the savepoint
// is rolled back, SQLite for good), which other callers share.
type guarded struct {
	tx    *sql.Tx
	later *deferred // rows held back, written before a statement that could see them
	// stmts, when set, prepares each statement once for the writer's connection (SQLite
	// parses a statement on every run otherwise; pgx caches them by itself).
	stmts *preparedReads
}

// prepared returns the statement of query in the transaction, or nil to run it unprepared.
func (g guarded) prepared(ctx context.Context, query string) *sql.Stmt {
	if g.stmts == nil {
		return nil
	}
	s, err := g.stmts.stmt(ctx, query)
	if err != nil {
		return nil // run unprepared, so that the error reaches the caller from the statement
	}
	return g.tx.StmtContext(ctx, s)
}

// QueryContext implements querier.
func (g guarded) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	g.later.before(query, args)
	if ctx.Err() != nil {
		return g.tx.QueryContext(ctx, query, args...) // fails before it reaches the database
	}
	ctx = context.WithoutCancel(ctx)
	if s := g.prepared(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return g.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext implements querier.
func (g guarded) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	g.later.before(query, args)
	if ctx.Err() != nil {
		return g.tx.QueryRowContext(ctx, query, args...) // fails before it reaches the database
	}
	ctx = context.WithoutCancel(ctx)
	if s := g.prepared(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return g.tx.QueryRowContext(ctx, query, args...)
}

// ExecContext implements querier.
func (g guarded) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	g.later.before(query, args)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	if s := g.prepared(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return g.tx.ExecContext(ctx, query, args...)
}
