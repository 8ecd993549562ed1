// Package evidence is the evidence ledger: an append-only, hash-chained record of every
// evidence of every assessment, with signed checkpoints, a content-addressed blob store
// for files, a retention purge that is itself recorded, and a verifier that names the
// first record that was changed, removed, inserted or moved.
//
// Collectors and manual evidence call Append; assessments call StatusChanged; the API
// reads through the store (store.EvidenceReader) and through the Ledger's read helpers.
package evidence

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/canon"
	"github.com/probity-dev/probity/internal/evidence/record"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

// Defaults of a Ledger's settings.
const (
	DefaultCheckpointEvery = 10000
	DefaultRetention       = 2 * 365 * 24 * time.Hour // Audit Manager keeps evidence two years
)

// Ledger appends evidence to the store's chains. It is safe for concurrent use; appends to
// one assessment are serialised (in this process by a lock per assessment, across
// processes by the chain head's compare-and-set, which the loser retries).
type Ledger struct {
	store  store.Store
	signer *signer
	// Blobs holds evidence files; Verify checks them when set.
	Blobs Blobs
	// CheckpointEvery is how many records pass between periodic checkpoints.
	CheckpointEvery int64
	// Retention is how long evidence is kept before Purge removes it.
	Retention time.Duration
	// Now is the clock.
	Now func() time.Time
	// Log receives what happens after an append has committed and cannot be returned as
	// its error (a periodic checkpoint that failed).
	Log *slog.Logger

	mu     sync.Mutex
	chains map[string]*chain
}

// chain is this process's view of one assessment's head, under its lock.
type chain struct {
	mu     sync.Mutex
	known  bool
	seq    int64
	hash   canon.Digest
	purged int64
}

// New returns a Ledger on st whose checkpoints are signed with a key sealed by box (made
// and stored on first use).
func New(st store.Store, box *secret.Box) *Ledger {
	return &Ledger{
		store: st, signer: &signer{store: st, box: box},
		CheckpointEvery: DefaultCheckpointEvery, Retention: DefaultRetention,
		Now: time.Now, Log: slog.New(slog.DiscardHandler), chains: map[string]*chain{},
	}
}

// Key identifies a batch of evidence, so that a retried collection appends nothing: the
// assessment control, the data source, the resource and the collection window.
type Key struct {
	ControlSetID, ControlID string
	SourceID                string
	Resource                string
	WindowStart, WindowEnd  time.Time
}

// digest returns the key's stored form: hex of canon's digest of its members.
func (k Key) digest(assessmentID string) string {
	d, _ := canon.Sum(map[string]string{ // strings only: Sum cannot fail
		"assessmentId": assessmentID, "controlSetId": k.ControlSetID, "controlId": k.ControlID,
		"sourceId": k.SourceID, "resource": k.Resource,
		"windowStart": k.WindowStart.UTC().Format(time.RFC3339Nano), "windowEnd": k.WindowEnd.UTC().Format(time.RFC3339Nano),
	})
	return hex.EncodeToString(d[:])
}

// Batch is evidence of one assessment to append at once, under an idempotency key.
type Batch struct {
	Account      string
	AssessmentID string
	// Author is who appends: the key's name for manual evidence; recorded as the author
	// of folders the batch creates.
	Author string
	Key    Key
	Items  []probity.Evidence
}

// Result is what a batch appended: its records' sequences and ids, and the chain hash of
// its last record. A retried batch returns the first result, with Duplicate set.
type Result struct {
	First, Last int64
	IDs         []string
	Hash        string
	Duplicate   bool
}

// Append appends the batch's items in order to the assessment's chain, in one transaction
// with their folders' and days' counts and the batch's key. A batch whose key was
// appended before appends nothing and returns the first result. It returns an EINVALID
// error naming the item and member for bad evidence; nothing is appended then.
func (l *Ledger) Append(ctx context.Context, b Batch) (Result, error) {
	if b.Account == "" || b.AssessmentID == "" {
		return Result{}, probity.Errorf(probity.EINVALID, "evidence batch: account and assessment are required")
	}
	if len(b.Items) == 0 {
		return Result{}, nil
	}
	key := b.Key.digest(b.AssessmentID)
	enc, err := encode(&b)
	if err != nil {
		return Result{}, err
	}
	c := l.chain(b.AssessmentID)
	c.mu.Lock()
	defer c.mu.Unlock()
	for attempt := 0; ; attempt++ {
		if dup, err := l.store.EvidenceBatch(ctx, b.Account, b.AssessmentID, key); err == nil {
			return resultOf(b.Account, b.AssessmentID, dup, true), nil
		} else if probity.ErrorCode(err) != probity.ENOTFOUND {
			return Result{}, err
		}
		if err := l.head(ctx, c, b.Account, b.AssessmentID); err != nil {
			return Result{}, err
		}
		a := enc.chain(c.seq, c.hash)
		a.AccountID, a.AssessmentID, a.Key, a.At = b.Account, b.AssessmentID, key, l.Now().UTC()
		var dup *store.EvidenceBatch
		err := l.store.Update(ctx, store.LockNone, func(tx store.Tx) error {
			dup = nil // fn may run again
			d, err := tx.EvidenceBatch(ctx, b.Account, b.AssessmentID, key)
			if err == nil {
				dup = d
				return nil
			}
			if probity.ErrorCode(err) != probity.ENOTFOUND {
				return err
			}
			return tx.AppendEvidence(ctx, a)
		})
		if dup != nil {
			return resultOf(b.Account, b.AssessmentID, dup, true), nil
		}
		if probity.ErrorCode(err) == probity.ECONFLICT && attempt < 20 {
			c.known = false // another process appended: read the head again
			continue
		}
		if err != nil {
			c.known = false
			return Result{}, fmt.Errorf("append evidence: %w", err)
		}
		before := c.seq
		last := a.Rows[len(a.Rows)-1]
		c.seq = last.Seq
		copy(c.hash[:], last.Hash)
		if n := l.CheckpointEvery; n > 0 && before/n != c.seq/n {
			if _, err := l.checkpoint(ctx, c, b.Account, b.AssessmentID, "periodic"); err != nil {
				l.Log.Error("periodic checkpoint", "assessment", b.AssessmentID, "err", err)
			}
		}
		return resultOf(b.Account, b.AssessmentID, &store.EvidenceBatch{First: a.Rows[0].Seq, Last: last.Seq, Hash: last.Hash}, false), nil
	}
}

func resultOf(account, assessment string, b *store.EvidenceBatch, dup bool) Result {
	r := Result{First: b.First, Last: b.Last, Hash: fmt.Sprintf("sha256:%x", b.Hash), Duplicate: dup}
	for s := b.First; s <= b.Last; s++ {
		r.IDs = append(r.IDs, probity.EvidenceID(account, assessment, s))
	}
	return r
}

// chain returns the assessment's chain state, made on first use.
func (l *Ledger) chain(assessment string) *chain {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.chains[assessment]
	if !ok {
		c = &chain{}
		l.chains[assessment] = c
	}
	return c
}

// head loads the chain's head from the store unless c knows it.
func (l *Ledger) head(ctx context.Context, c *chain, account, assessment string) error {
	if c.known {
		return nil
	}
	h, err := l.store.EvidenceChain(ctx, account, assessment)
	switch {
	case probity.ErrorCode(err) == probity.ENOTFOUND:
		c.seq, c.hash, c.purged = 0, record.Genesis, 0
	case err != nil:
		return err
	default:
		c.seq, c.purged = h.Seq, h.Purged
		copy(c.hash[:], h.Hash)
	}
	c.known = true
	return nil
}

// encoded is a batch with its bodies and counts made, ready to chain after any head.
type encoded struct {
	items   []probity.Evidence
	bodies  [][]byte
	folders []string
	counts  []probity.EvidenceFolder
	days    []probity.EvidenceDay
	account string
	assess  string
}

// encode validates and encodes b's items, outside any transaction.
func encode(b *Batch) (*encoded, error) {
	e := &encoded{items: b.Items, bodies: make([][]byte, len(b.Items)), folders: make([]string, len(b.Items)),
		account: b.Account, assess: b.AssessmentID}
	folderAt := map[string]int{}
	dayAt := map[[2]string]int{}
	var buf []byte
	for i := range b.Items {
		it := &b.Items[i]
		if err := it.Validate(); err != nil {
			if pe, ok := err.(*probity.Error); ok {
				for k := range pe.Fields {
					pe.Fields[k].Name = fmt.Sprintf("items[%d].%s", i, pe.Fields[k].Name)
				}
			}
			return nil, err
		}
		start := len(buf)
		var err error
		buf, err = record.AppendBody(buf, it)
		if err != nil {
			return nil, probity.Errorf(probity.EINVALID, "items[%d]: %v", i, err)
		}
		e.bodies[i] = buf[start:len(buf):len(buf)]
		day := probity.Day(it.Time)
		fid := probity.EvidenceFolderID(b.AssessmentID, it.ControlSetID, it.ControlID, day, it.DataSource)
		e.folders[i] = fid
		k, ok := folderAt[fid]
		if !ok {
			k = len(e.counts)
			folderAt[fid] = k
			e.counts = append(e.counts, probity.EvidenceFolder{ID: fid, AccountID: b.Account, AssessmentID: b.AssessmentID,
				ControlSetID: it.ControlSetID, ControlID: it.ControlID, ControlName: it.ControlName,
				DataSource: it.DataSource, Date: day, Author: b.Author})
		}
		e.counts[k].Count(it)
		dk := [2]string{day.Format(time.DateOnly), it.ControlID}
		d, ok := dayAt[dk]
		if !ok {
			d = len(e.days)
			dayAt[dk] = d
			e.days = append(e.days, probity.EvidenceDay{AssessmentID: b.AssessmentID, ControlID: it.ControlID, Date: day})
		}
		switch it.Compliance() {
		case 1:
			e.days[d].Compliant++
		case -1:
			e.days[d].NonCompliant++
		default:
			e.days[d].Inconclusive++
		}
	}
	return e, nil
}

// chain numbers and hashes the records after the head (seq, prev).
func (e *encoded) chain(seq int64, prev canon.Digest) *store.EvidenceAppend {
	a := &store.EvidenceAppend{After: seq, Rows: make([]store.EvidenceRow, len(e.items)), Folders: e.counts, Days: e.days}
	hashes := make([]byte, 32*len(e.items))
	var scratch []byte
	for i := range e.items {
		s := seq + 1 + int64(i)
		id := probity.EvidenceID(e.account, e.assess, s)
		prev = record.Chain(prev, s, id, e.folders[i], record.KindEvidence, e.bodies[i], &scratch)
		h := hashes[32*i : 32*i+32 : 32*i+32]
		copy(h, prev[:])
		a.Rows[i] = store.EvidenceRow{Seq: s, ID: id, Kind: record.KindEvidence, FolderID: e.folders[i], Body: e.bodies[i], Hash: h}
	}
	return a
}
