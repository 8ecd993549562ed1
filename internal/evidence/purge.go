package evidence

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/canon"
	"github.com/probity-dev/probity/internal/evidence/record"
	"github.com/probity-dev/probity/internal/store"
)

// Purge removes the assessment's records appended longer than Retention ago (only a
// prefix of the chain: a record is kept while any before it is), after appending a purge
// record that names the last removed sequence and its chain hash, so the verifier knows
// where the kept chain starts. It returns how many records it removed.
func (l *Ledger) Purge(ctx context.Context, account, assessmentID string) (int64, error) {
	c := l.chain(assessmentID)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.known = false
	if err := l.head(ctx, c, account, assessmentID); err != nil {
		return 0, err
	}
	before := l.Now().Add(-l.Retention)
	upto, err := l.store.EvidenceBefore(ctx, assessmentID, before)
	if err != nil {
		return 0, err
	}
	if upto <= c.purged {
		return 0, nil
	}
	var uptoHash []byte
	err = l.store.ScanEvidence(ctx, assessmentID, upto-1, func(r *store.EvidenceRow) error {
		uptoHash = append([]byte(nil), r.Hash...)
		return stop{}
	})
	if _, ok := err.(stop); !ok && err != nil {
		return 0, err
	}
	if len(uptoHash) != len(canon.Digest{}) {
		return 0, fmt.Errorf("purge: record %d of assessment %s is missing", upto, assessmentID)
	}
	var d canon.Digest
	copy(d[:], uptoHash)
	body, err := canon.Marshal(record.Purge{Before: before.UTC().Format(time.RFC3339Nano), Hash: d.String(), Seq: upto})
	if err != nil {
		return 0, err
	}
	seq := c.seq + 1
	id := probity.EvidenceID(account, assessmentID, seq)
	h := record.Chain(c.hash, seq, id, "", record.KindPurge, body, nil)
	row := store.EvidenceRow{Seq: seq, ID: id, Kind: record.KindPurge, Body: body, Hash: h[:], At: l.Now().UTC()}
	err = l.store.Update(ctx, store.LockNone, func(tx store.Tx) error {
		return tx.PurgeEvidence(ctx, account, assessmentID, c.seq, upto, uptoHash, row)
	})
	c.known = false
	if err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	return upto - c.purged, nil
}

// Upkept is what one Upkeep did.
type Upkept struct {
	Chains      int   // chains looked at
	Purged      int64 // records removed by retention
	Checkpoints int   // checkpoints signed
}

// Upkeep is the ledger's periodic care, run daily by the collection jobs: for every chain
// of every account, it purges the records older than Retention and signs a checkpoint of
// the head when the head has none yet. It goes on past a chain that fails and returns the
// failures joined, with what it did.
func (l *Ledger) Upkeep(ctx context.Context) (Upkept, error) {
	var u Upkept
	chains, err := l.store.EvidenceChains(ctx)
	if err != nil {
		return u, err
	}
	var errs []error
	for _, c := range chains {
		u.Chains++
		n, err := l.Purge(ctx, c.AccountID, c.AssessmentID)
		u.Purged += n
		if err != nil {
			errs = append(errs, fmt.Errorf("assessment %s: %w", c.AssessmentID, err))
			continue
		}
		cp, err := l.Checkpoint(ctx, c.AccountID, c.AssessmentID, "daily")
		if err != nil {
			errs = append(errs, fmt.Errorf("assessment %s: %w", c.AssessmentID, err))
		}
		if cp != nil {
			u.Checkpoints++
		}
	}
	return u, errors.Join(errs...)
}
