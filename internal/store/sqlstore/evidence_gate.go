package sqlstore

import (
	"context"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// The ledger's reads outside transactions, each entering the gate (gate.go).

// EvidenceChain implements store.Reader.
func (db *DB) EvidenceChain(ctx context.Context, account, assessmentID string) (*store.EvidenceChain, error) {
	return gated(db, ctx, func() (*store.EvidenceChain, error) { return db.read.EvidenceChain(ctx, account, assessmentID) })
}

// EvidenceChains implements store.Reader.
func (db *DB) EvidenceChains(ctx context.Context) ([]store.EvidenceChain, error) {
	return gated(db, ctx, func() ([]store.EvidenceChain, error) { return db.read.EvidenceChains(ctx) })
}

// EvidenceBatch implements store.Reader.
func (db *DB) EvidenceBatch(ctx context.Context, account, assessmentID, key string) (*store.EvidenceBatch, error) {
	return gated(db, ctx, func() (*store.EvidenceBatch, error) { return db.read.EvidenceBatch(ctx, account, assessmentID, key) })
}

// Evidence implements store.Reader.
func (db *DB) Evidence(ctx context.Context, account, assessmentID, id string) (*probity.Evidence, error) {
	return gated(db, ctx, func() (*probity.Evidence, error) { return db.read.Evidence(ctx, account, assessmentID, id) })
}

// EvidenceByFolder implements store.Reader.
func (db *DB) EvidenceByFolder(ctx context.Context, p store.EvidencePage) ([]probity.Evidence, error) {
	return gated(db, ctx, func() ([]probity.Evidence, error) { return db.read.EvidenceByFolder(ctx, p) })
}

// EvidenceFolder implements store.Reader.
func (db *DB) EvidenceFolder(ctx context.Context, account, assessmentID, folderID string) (*probity.EvidenceFolder, error) {
	return gated(db, ctx, func() (*probity.EvidenceFolder, error) {
		return db.read.EvidenceFolder(ctx, account, assessmentID, folderID)
	})
}

// EvidenceFolders implements store.Reader.
func (db *DB) EvidenceFolders(ctx context.Context, p store.FolderPage) ([]probity.EvidenceFolder, error) {
	return gated(db, ctx, func() ([]probity.EvidenceFolder, error) { return db.read.EvidenceFolders(ctx, p) })
}

// EvidenceTotals implements store.Reader.
func (db *DB) EvidenceTotals(ctx context.Context, account, assessmentID string) ([]probity.EvidenceFolder, error) {
	return gated(db, ctx, func() ([]probity.EvidenceFolder, error) { return db.read.EvidenceTotals(ctx, account, assessmentID) })
}

// EvidenceDays implements store.Reader.
func (db *DB) EvidenceDays(ctx context.Context, account, assessmentID, controlID string, from, to time.Time) ([]probity.EvidenceDay, error) {
	return gated(db, ctx, func() ([]probity.EvidenceDay, error) {
		return db.read.EvidenceDays(ctx, account, assessmentID, controlID, from, to)
	})
}

// ScanEvidence implements store.Reader. It holds one connection for the whole scan.
func (db *DB) ScanEvidence(ctx context.Context, assessmentID string, after int64, fn func(*store.EvidenceRow) error) error {
	_, err := gated(db, ctx, func() (struct{}, error) { return struct{}{}, db.read.ScanEvidence(ctx, assessmentID, after, fn) })
	return err
}

// EvidenceCheckpoints implements store.Reader.
func (db *DB) EvidenceCheckpoints(ctx context.Context, account, assessmentID string) ([]store.EvidenceCheckpoint, error) {
	return gated(db, ctx, func() ([]store.EvidenceCheckpoint, error) {
		return db.read.EvidenceCheckpoints(ctx, account, assessmentID)
	})
}

// LedgerKeys implements store.Reader.
func (db *DB) LedgerKeys(ctx context.Context) ([]store.LedgerKey, error) {
	return gated(db, ctx, func() ([]store.LedgerKey, error) { return db.read.LedgerKeys(ctx) })
}

// EvidenceBefore implements store.Reader.
func (db *DB) EvidenceBefore(ctx context.Context, assessmentID string, before time.Time) (int64, error) {
	return gated(db, ctx, func() (int64, error) { return db.read.EvidenceBefore(ctx, assessmentID, before) })
}
