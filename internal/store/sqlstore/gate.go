package sqlstore

import (
	"context"
	"database/sql"

	"golang.org/x/sync/semaphore"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// DefaultMaxConns is the connections a store keeps open when Options does not say. It
// is a fixed number rather than one that follows GOMAXPROCS: what a connection waits
// on is the database's CPUs and disks (for PostgreSQL another host, shared by every
// Probity process), not this process's, and 16 served 1 to 256 clients at full rate on
// a 2-core machine with both backends (docs/benchmarks.md).
const DefaultMaxConns = 16

// Options are the choices of an Open that both backends share.
type Options struct {
	// MaxConns bounds the connections open at once, idle ones included; requests beyond
	// it wait, first come first served. Zero or less means DefaultMaxConns. A backend
	// with Dialect.OneWriter keeps one more, for its writer.
	MaxConns int
}

func (o Options) maxConns() int {
	if o.MaxConns <= 0 {
		return DefaultMaxConns
	}
	return o.MaxConns
}

// bound caps db at the options' connections plus extra (held apart, for writing) and
// keeps that many idle, so that a loaded server neither opens connections without limit
// nor closes and reopens the surplus (database/sql keeps 2 idle by default).
func (o Options) bound(db *sql.DB, extra int) {
	db.SetMaxOpenConns(o.maxConns() + extra)
	db.SetMaxIdleConns(o.maxConns() + extra)
}

// enter waits until fewer than MaxConns callers hold the store's connections, in order of
// arrival, and returns the function that lets the next one in. database/sql hands a freed
// connection to a random waiter, so under more callers than connections some wait for
// many turns; entering here first, with as many places as connections, makes every
// caller that got in find a connection free. Everything that holds a connection enters
// once, for as long as it holds it: a caller that entered must not enter again before
// leaving, or a store with one connection would wait for itself.
func (db *DB) enter(ctx context.Context) (leave func(), err error) {
	if err := db.gate.Acquire(ctx, 1); err != nil {
		return nil, err
	}
	return func() { db.gate.Release(1) }, nil
}

func newGate(o Options) *semaphore.Weighted { return semaphore.NewWeighted(int64(o.maxConns())) }

// gated runs read, a read outside any transaction, once entered.
func gated[T any](db *DB, ctx context.Context, read func() (T, error)) (T, error) {
	leave, err := db.enter(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	defer leave()
	return read()
}

// The reads of store.Reader outside transactions, each entering the gate for the
// connection it takes.

// Account implements store.Reader.
func (db *DB) Account(ctx context.Context, id string) (*probity.Account, error) {
	return gated(db, ctx, func() (*probity.Account, error) { return db.read.Account(ctx, id) })
}

// CatalogFiles implements store.Reader.
func (db *DB) CatalogFiles(ctx context.Context, source string) ([]store.CatalogFile, error) {
	return gated(db, ctx, func() ([]store.CatalogFile, error) { return db.read.CatalogFiles(ctx, source) })
}

// CustomRules implements store.Reader.
func (db *DB) CustomRules(ctx context.Context, account string) ([]probity.CustomRule, error) {
	return gated(db, ctx, func() ([]probity.CustomRule, error) { return db.read.CustomRules(ctx, account) })
}

// FindingMappings implements store.Reader.
func (db *DB) FindingMappings(ctx context.Context, account string) ([]probity.FindingMapping, error) {
	return gated(db, ctx, func() ([]probity.FindingMapping, error) { return db.read.FindingMappings(ctx, account) })
}

// AccessKey implements store.Reader.
func (db *DB) AccessKey(ctx context.Context, id string) (*store.AccessKey, error) {
	return gated(db, ctx, func() (*store.AccessKey, error) { return db.read.AccessKey(ctx, id) })
}

// AccessKeys implements store.Reader.
func (db *DB) AccessKeys(ctx context.Context) ([]store.AccessKey, error) {
	return gated(db, ctx, func() ([]store.AccessKey, error) { return db.read.AccessKeys(ctx) })
}

// Notifications implements store.Reader.
func (db *DB) Notifications(ctx context.Context, account, before string, limit int) ([]probity.Notification, error) {
	return gated(db, ctx, func() ([]probity.Notification, error) { return db.read.Notifications(ctx, account, before, limit) })
}

// NotificationsFor implements store.Reader.
func (db *DB) NotificationsFor(ctx context.Context, account, arn, before string, limit int) ([]probity.Notification, error) {
	return gated(db, ctx, func() ([]probity.Notification, error) {
		return db.read.NotificationsFor(ctx, account, arn, before, limit)
	})
}

// ControlSummaries implements store.Reader.
func (db *DB) ControlSummaries(ctx context.Context, p store.Page) ([]store.ControlSummary, error) {
	return gated(db, ctx, func() ([]store.ControlSummary, error) { return db.read.ControlSummaries(ctx, p) })
}

// FrameworkSummaries implements store.Reader.
func (db *DB) FrameworkSummaries(ctx context.Context, p store.Page) ([]store.FrameworkSummary, error) {
	return gated(db, ctx, func() ([]store.FrameworkSummary, error) { return db.read.FrameworkSummaries(ctx, p) })
}

// CountControls implements store.Reader.
func (db *DB) CountControls(ctx context.Context, account string, typ probity.ControlType) (int, error) {
	return gated(db, ctx, func() (int, error) { return db.read.CountControls(ctx, account, typ) })
}

// CountFrameworks implements store.Reader.
func (db *DB) CountFrameworks(ctx context.Context, account string, typ probity.FrameworkType) (int, error) {
	return gated(db, ctx, func() (int, error) { return db.read.CountFrameworks(ctx, account, typ) })
}

// LibraryOutline implements store.Reader.
func (db *DB) LibraryOutline(ctx context.Context, account string) (*store.Library, error) {
	return gated(db, ctx, func() (*store.Library, error) { return db.read.LibraryOutline(ctx, account) })
}

// Library implements store.Reader.
func (db *DB) Library(ctx context.Context, account string) (*store.Library, error) {
	return gated(db, ctx, func() (*store.Library, error) { return db.read.Library(ctx, account) })
}

// Control implements store.Reader.
func (db *DB) Control(ctx context.Context, account, id string) (*probity.Control, error) {
	return gated(db, ctx, func() (*probity.Control, error) { return db.read.Control(ctx, account, id) })
}

// Framework implements store.Reader.
func (db *DB) Framework(ctx context.Context, account, id string) (*probity.Framework, error) {
	return gated(db, ctx, func() (*probity.Framework, error) { return db.read.Framework(ctx, account, id) })
}

// ShareRequest implements store.Reader.
func (db *DB) ShareRequest(ctx context.Context, id string) (*probity.ShareRequest, error) {
	return gated(db, ctx, func() (*probity.ShareRequest, error) { return db.read.ShareRequest(ctx, id) })
}

// ShareRequests implements store.Reader.
func (db *DB) ShareRequests(ctx context.Context, q store.ShareQuery) ([]probity.ShareRequest, error) {
	return gated(db, ctx, func() ([]probity.ShareRequest, error) { return db.read.ShareRequests(ctx, q) })
}
