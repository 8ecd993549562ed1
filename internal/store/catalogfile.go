package store

import (
	"context"
	"time"
)

// CatalogFile is the last good version of one file of a catalog source: the version
// whose definitions are in effect in the library. The pipeline keeps it so that a file
// that turns invalid, or is deleted while still in use, goes on meaning what it meant,
// across restarts.
type CatalogFile struct {
	Source    string // the owner name, as in catalog.Options.Source
	Path      string // object key, or path relative to the source's root
	Data      []byte
	Revision  string // what the source knows the version by: ETag, commit, mtime and size
	UpdatedAt time.Time
}

// CatalogFileReader reads the last good version of each file, per source.
type CatalogFileReader interface {
	// CatalogFiles returns every file kept for the source, in path order; none is not an
	// error.
	CatalogFiles(ctx context.Context, source string) ([]CatalogFile, error)
}

// CatalogFileWriter saves last good versions, in the transaction that applies them.
type CatalogFileWriter interface {
	// SaveCatalogFiles inserts or replaces the files of put (by source and path; the last
	// of two with the same path wins) and deletes the files of the source at the paths of
	// remove (a missing one is not an error), all at once. Each file of put must belong to
	// source; EINVALID otherwise.
	SaveCatalogFiles(ctx context.Context, source string, put []CatalogFile, remove []string) error
}
