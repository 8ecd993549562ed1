package store

import "context"

// RevisionReader tells whether a library changed without reading it.
type RevisionReader interface {
	// LibraryRevision returns the revision of what the account's library holds (its own
	// controls and frameworks and the standard ones): a number that grows with every
	// committed change to them, made by any process that shares the store, and stays the
	// same while nothing changes. It is one small read, cheap enough to ask before
	// serving a read from memory.
	LibraryRevision(ctx context.Context, account string) (int64, error)
}
