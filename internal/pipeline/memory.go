package pipeline

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/probity-dev/probity/internal/catalog"
	"github.com/probity-dev/probity/internal/store"
)

// sourceMemory is what the reconciles of one source keep for the next, so that a change
// to one file costs about that file: what each file loaded to, and the source's last
// good files as the store holds them.
type sourceMemory struct {
	parsed catalog.Cache
	// kept are the last good files as of library revision keptRev; keptOK is false
	// when they must be read again.
	kept    []keptFile
	keptRev int64
	keptOK  bool
	// settled are the control documents of the catalog the last reconcile applied, and
	// settledLib the library that apply left (catalog.Options.Settled): while the
	// library kept is still settledLib, a document of an unchanged file is not compared
	// again.
	settled    map[*catalog.Document]bool
	settledLib *store.Library
}

// memory returns what the source's reconciles keep; p.mu must be held.
func (p *Pipeline) memory(source string) *sourceMemory {
	m := p.kept[source]
	if m == nil {
		m = &sourceMemory{}
		p.kept[source] = m
	}
	return m
}

// library returns the outline of the account's library (store.LibraryOutline) and its
// revision: the one kept by the last reconcile while the store's revision has not moved
// since, else the outline read again. Controls that a reconcile needed whole are whole
// in it (catalog.CompleteLibrary). p.mu must be held. It returns an error when the store
// fails.
func (p *Pipeline) library(ctx context.Context) (*store.Library, int64, error) {
	account := p.cfg.Partition.AccountID
	// The revision is read first: a change committed between the two reads leaves a
	// library newer than its revision, which costs one more read later, never a stale
	// library.
	rev, err := p.cfg.Store.LibraryRevision(ctx, account)
	if err != nil {
		return nil, 0, fmt.Errorf("read library revision: %w", err)
	}
	if p.lib != nil && rev == p.libRev {
		return p.lib, rev, nil
	}
	lib, err := p.cfg.Store.LibraryOutline(ctx, account)
	if err != nil {
		return nil, 0, fmt.Errorf("read library: %w", err)
	}
	p.lib, p.libRev = lib, rev
	return lib, rev, nil
}

// forget drops the library kept between reconciles, and every source's last good files:
// the next reconcile reads them from the store. p.mu must be held.
func (p *Pipeline) forget() {
	p.lib = nil
	for _, m := range p.kept {
		m.keptOK = false
		m.settled, m.settledLib = nil, nil
	}
}

// settle records the catalog a reconcile applied and the library it left.
func (m *sourceMemory) settle(cat *catalog.Catalog, lib *store.Library) {
	m.settled = make(map[*catalog.Document]bool, len(cat.Controls))
	for _, d := range cat.Controls {
		m.settled[d] = true
	}
	m.settledLib = lib
}

// settledFor returns the settled documents when lib is the library they were settled
// in, else nil.
func (m *sourceMemory) settledFor(lib *store.Library) map[*catalog.Document]bool {
	if lib == nil || lib != m.settledLib {
		return nil
	}
	return m.settled
}

// lastGood returns the source's last good files: the ones kept while the library is at
// the revision they were kept at, else those the store holds. The last good files are
// written only with the library, by the reconciles of their source; another process
// reconciling the same source (sharing a PostgreSQL store) moves the revision whenever it
// changes the library, and then they are read again.
func (m *sourceMemory) lastGood(ctx context.Context, st store.Store, source string, rev int64) ([]keptFile, error) {
	if m.keptOK && m.keptRev == rev {
		return m.kept, nil
	}
	files, err := st.CatalogFiles(ctx, source)
	if err != nil {
		return nil, fmt.Errorf("read last good files of %s: %w", source, err)
	}
	// Kept by their sums: a reconcile that needs the bytes reads them again.
	kept := make([]keptFile, len(files))
	for i, f := range files {
		kept[i] = keptFile{Path: f.Path, Revision: f.Revision, Sum: sha256.Sum256(f.Data)}
	}
	m.kept, m.keptRev, m.keptOK = kept, rev, true
	return kept, nil
}

// keep records the last good files a reconcile saved, as of library revision rev.
func (m *sourceMemory) keep(files []keptFile, rev int64) {
	m.kept, m.keptRev, m.keptOK = files, rev, true
}
