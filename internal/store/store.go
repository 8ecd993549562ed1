// Package store defines how Probity keeps its state. Backends live in child packages
// (sqlite, postgres) and pass the one conformance suite in storetest; no business rule
// lives in a backend.
package store

import (
	"context"

	"github.com/probity-dev/probity"
)

// Library is every control and framework, in name order.
type Library struct {
	Controls   []probity.Control
	Frameworks []probity.Framework
}

// Reader reads the library.
type Reader interface {
	// Library returns the whole library.
	Library(ctx context.Context) (*Library, error)
	// Control returns the control with the id, or an ENOTFOUND error.
	Control(ctx context.Context, id string) (*probity.Control, error)
	// Framework returns the framework with the id, or an ENOTFOUND error.
	Framework(ctx context.Context, id string) (*probity.Framework, error)
}

// Tx is a write transaction on the library. Its reads see its own writes.
type Tx interface {
	Reader
	// PutControls inserts or replaces controls by id. It returns an ECONFLICT error when
	// another control of the same type has the same name.
	PutControls(ctx context.Context, cs []*probity.Control) error
	// DeleteControls deletes controls by id; it returns an ECONFLICT error when a
	// framework still uses one, and ENOTFOUND when one does not exist.
	DeleteControls(ctx context.Context, ids []string) error
	// PutFrameworks inserts or replaces frameworks by id, control sets included. It
	// returns an ECONFLICT error for a duplicate name and an EINVALID error when a
	// control set lists a control that does not exist.
	PutFrameworks(ctx context.Context, fs []*probity.Framework) error
	// DeleteFrameworks deletes frameworks by id; ENOTFOUND when one does not exist.
	DeleteFrameworks(ctx context.Context, ids []string) error
	// The catalog pipeline saves the files it applied in the same transaction.
	CatalogFileSaver
	// Account settings change by read, modify and write in one transaction.
	AccountStore
}

// Store is a library with transactions.
type Store interface {
	Reader
	// Update runs fn in one transaction that holds the library's write lock, so updates
	// are serialised. It commits when fn returns nil and rolls back otherwise, returning
	// fn's error unchanged.
	Update(ctx context.Context, fn func(Tx) error) error
	// Close releases the store's connections.
	Close() error
}
