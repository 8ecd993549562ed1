package store

import (
	"context"
	"time"

	"github.com/probity-dev/probity"
)

// EvidenceRow is one record of an assessment's evidence chain as stored (see
// internal/evidence/record for what Body and Hash are).
type EvidenceRow struct {
	Seq      int64
	ID       string
	Kind     string // record.KindEvidence or record.KindPurge
	FolderID string // empty for a purge record
	Body     []byte // canonical JSON
	Hash     []byte // the chain hash, 32 bytes
	At       time.Time
}

// EvidenceChain is the head of an assessment's chain: its last record, and how far the
// retention purge has removed it.
type EvidenceChain struct {
	AccountID    string
	AssessmentID string
	Seq          int64  // the last record's sequence; 0 for none
	Hash         []byte // the last record's chain hash
	Purged       int64  // every record up to this sequence was purged
	PurgedHash   []byte // the chain hash of the record at Purged
}

// EvidenceBatch is what an appended batch of evidence recorded under its idempotency key.
type EvidenceBatch struct {
	Key         string
	First, Last int64 // the sequences of its first and last records
	Hash        []byte
	At          time.Time
}

// EvidenceAppend is a batch of records to append to one chain, with the counts its
// evidence adds to folders and days.
type EvidenceAppend struct {
	AccountID    string
	AssessmentID string
	Key          string // the batch's idempotency key
	// After is the head the records follow; appending fails if the chain has moved on.
	After   int64
	Rows    []EvidenceRow
	Folders []probity.EvidenceFolder // identity, and the counters to add
	Days    []probity.EvidenceDay    // the counts to add
	At      time.Time
}

// EvidenceCheckpoint is a signed statement that an assessment's chain had the hash at the
// sequence at a time. The signature covers record-independent canonical JSON made by the
// ledger.
type EvidenceCheckpoint struct {
	AccountID    string
	AssessmentID string
	Seq          int64
	Hash         []byte
	At           time.Time
	Reason       string // "periodic", "on demand", or "status ACTIVE" and the like
	KeyID        string
	Signature    []byte
}

// LedgerKey is an Ed25519 key that signs checkpoints, its private half sealed.
type LedgerKey struct {
	ID            string
	PublicKey     []byte
	SealedPrivate []byte
	CreatedAt     time.Time
}

// EvidencePage asks for the evidence of one folder after a sequence, in sequence order.
type EvidencePage struct {
	AccountID, AssessmentID, FolderID string
	After                             int64
	Limit                             int
}

// FolderCursor marks a place in a folder listing, ordered by date then id.
type FolderCursor struct {
	Date time.Time
	ID   string
}

// FolderPage asks for an assessment's folders (of one control set and control when those
// are set) after a cursor.
type FolderPage struct {
	AccountID, AssessmentID string
	ControlSetID, ControlID string
	After                   FolderCursor
	Limit                   int
}

// EvidenceReader reads the evidence ledger. Every read is for one account: another
// account's assessments answer ENOTFOUND (or nothing) as if they did not exist.
type EvidenceReader interface {
	// EvidenceChain returns the head of the assessment's chain, or ENOTFOUND when nothing
	// was ever appended to it.
	EvidenceChain(ctx context.Context, account, assessmentID string) (*EvidenceChain, error)
	// EvidenceChains returns the head of every chain of every account, by assessment id.
	EvidenceChains(ctx context.Context) ([]EvidenceChain, error)
	// EvidenceBatch returns what the batch with the idempotency key appended, or ENOTFOUND.
	EvidenceBatch(ctx context.Context, account, assessmentID, key string) (*EvidenceBatch, error)
	// Evidence returns the evidence with the id, or ENOTFOUND.
	Evidence(ctx context.Context, account, assessmentID, id string) (*probity.Evidence, error)
	// EvidenceByFolder returns up to p.Limit evidence of the folder after p.After, in
	// sequence order.
	EvidenceByFolder(ctx context.Context, p EvidencePage) ([]probity.Evidence, error)
	// EvidenceFolder returns the folder with the id, or ENOTFOUND.
	EvidenceFolder(ctx context.Context, account, assessmentID, folderID string) (*probity.EvidenceFolder, error)
	// EvidenceFolders returns up to p.Limit folders after p.After, by date then id.
	EvidenceFolders(ctx context.Context, p FolderPage) ([]probity.EvidenceFolder, error)
	// EvidenceTotals returns the assessment's folder counters summed over the days, one
	// entry per control set, control and data source (Date and ID empty), in the order
	// the data sources first collected for each control.
	EvidenceTotals(ctx context.Context, account, assessmentID string) ([]probity.EvidenceFolder, error)
	// EvidenceDays returns the daily aggregates of the assessment from the day of from
	// to the day of to, both included, by day then control; of one control when
	// controlID is set.
	EvidenceDays(ctx context.Context, account, assessmentID, controlID string, from, to time.Time) ([]probity.EvidenceDay, error)
	// ScanEvidence calls fn with each record of the assessment's chain after the sequence,
	// in sequence order, reading them as it goes (memory stays flat). fn must not keep
	// the row, which is reused; its error stops the scan and is returned.
	ScanEvidence(ctx context.Context, assessmentID string, after int64, fn func(*EvidenceRow) error) error
	// EvidenceBefore returns the highest sequence of the assessment's chain up to which
	// every record was appended before the time (0 for none).
	EvidenceBefore(ctx context.Context, assessmentID string, before time.Time) (int64, error)
	// EvidenceCheckpoints returns the assessment's checkpoints in sequence order.
	EvidenceCheckpoints(ctx context.Context, account, assessmentID string) ([]EvidenceCheckpoint, error)
	// LedgerKeys returns every checkpoint signing key, oldest first.
	LedgerKeys(ctx context.Context) ([]LedgerKey, error)
}

// EvidenceWriter appends to the evidence ledger. Evidence rows are never updated; the
// database refuses it, and refuses deletes but the retention purge's.
type EvidenceWriter interface {
	// AppendEvidence appends a batch, records its idempotency key, and adds its counts to
	// folders and days. It returns an ECONFLICT error when the chain's head is not a.After
	// or the key was used, and writes nothing then.
	AppendEvidence(ctx context.Context, a *EvidenceAppend) error
	// PurgeEvidence appends purge (a purge record following the head after) and removes
	// every record of the chain up to the sequence upto, whose chain hash was uptoHash.
	// It returns an ECONFLICT error when the head moved.
	PurgeEvidence(ctx context.Context, account, assessmentID string, after, upto int64, uptoHash []byte, purge EvidenceRow) error
	// SetEvidenceSelection sets whether the evidence with the ids is in the assessment
	// report, keeping the folders' counts. It returns ENOTFOUND for an unknown id.
	SetEvidenceSelection(ctx context.Context, account, assessmentID string, ids []string, selected bool) error
	// PutEvidenceCheckpoint records a checkpoint. It returns an ECONFLICT error when the
	// chain has one at that sequence already.
	PutEvidenceCheckpoint(ctx context.Context, c *EvidenceCheckpoint) error
	// PutLedgerKey stores a signing key. It returns an ECONFLICT error for a known id.
	PutLedgerKey(ctx context.Context, k *LedgerKey) error
}
