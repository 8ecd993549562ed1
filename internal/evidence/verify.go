package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/canon"
	"github.com/probity-dev/probity/internal/evidence/record"
	"github.com/probity-dev/probity/internal/store"
)

// Problem is the first thing found wrong in one assessment's chain.
type Problem struct {
	AccountID, AssessmentID string
	// EvidenceID names the first record that was changed, removed, inserted or moved, or
	// whose blob is altered or missing.
	EvidenceID string
	Seq        int64
	What       string
}

// String returns "assessment A: evidence ID (sequence N): what".
func (p Problem) String() string {
	return fmt.Sprintf("assessment %s: evidence %s (sequence %d): %s", p.AssessmentID, p.EvidenceID, p.Seq, p.What)
}

// Report is what Verify checked and found.
type Report struct {
	Chains, Records, Blobs, Checkpoints int64
	Problems                            []Problem // at most one per chain: its first
}

// Verify walks the chain of the assessment (of every assessment when assessmentID is
// empty) record by record, reading as it goes: each record's hash is recomputed from its
// row and the previous record's, its sequence and id must follow the previous ones, its
// blobs must hash to their names, and the chain must pass through every signed
// checkpoint. It returns an error only when it could not check (the store or the blob
// store failed, or a checkpoint key does not open with the master key); tampering is
// reported in the Report.
func (l *Ledger) Verify(ctx context.Context, assessmentID string) (*Report, error) {
	keys, err := l.publicKeys(ctx)
	if err != nil {
		return nil, err
	}
	chains, err := l.store.EvidenceChains(ctx)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	for _, c := range chains {
		if assessmentID != "" && c.AssessmentID != assessmentID {
			continue
		}
		rep.Chains++
		p, err := l.verifyChain(ctx, &c, keys, rep)
		if err != nil {
			return nil, fmt.Errorf("verify assessment %s: %w", c.AssessmentID, err)
		}
		if p != nil {
			rep.Problems = append(rep.Problems, *p)
		}
	}
	if assessmentID != "" && rep.Chains == 0 {
		return nil, probity.NotFound("evidence chain of assessment", assessmentID)
	}
	return rep, nil
}

// publicKeys returns the checkpoint keys by id, each checked against its sealed private
// half, so a public key swapped in the database is noticed.
func (l *Ledger) publicKeys(ctx context.Context) (map[string]ed25519.PublicKey, error) {
	ks, err := l.store.LedgerKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]ed25519.PublicKey{}
	for _, k := range ks {
		if l.signer.box == nil {
			return nil, fmt.Errorf("no master key to open the checkpoint keys with: set PROBITY_MASTER_KEY or --master-key-file")
		}
		priv, err := openKey(l.signer.box, &k)
		if err != nil {
			return nil, err
		}
		out[k.ID] = priv.Public().(ed25519.PublicKey)
	}
	return out, nil
}

// stop ends a scan at the first problem.
type stop struct{ p *Problem }

func (stop) Error() string { return "stop" }

func (l *Ledger) verifyChain(ctx context.Context, c *store.EvidenceChain, keys map[string]ed25519.PublicKey, rep *Report) (*Problem, error) {
	problem := func(seq int64, id, what string) *Problem {
		if id == "" {
			id = probity.EvidenceID(c.AccountID, c.AssessmentID, seq)
		}
		return &Problem{AccountID: c.AccountID, AssessmentID: c.AssessmentID, EvidenceID: id, Seq: seq, What: what}
	}
	cps, err := l.store.EvidenceCheckpoints(ctx, c.AccountID, c.AssessmentID)
	if err != nil {
		return nil, err
	}
	// Checkpoints must be signed by a known key; those of purged records are past.
	var live []store.EvidenceCheckpoint
	for _, cp := range cps {
		rep.Checkpoints++
		msg, err := checkpointMessage(&cp)
		if err != nil {
			return nil, err
		}
		if pub, ok := keys[cp.KeyID]; !ok || !ed25519.Verify(pub, msg, cp.Signature) {
			return problem(cp.Seq, "", "the checkpoint signed at this sequence has a bad signature"), nil
		}
		if cp.Seq > c.Purged {
			live = append(live, cp)
		}
	}

	prev := record.Genesis
	if c.Purged > 0 {
		copy(prev[:], c.PurgedHash)
	}
	next := c.Purged + 1
	lastGood := c.Purged // the last sequence a checkpoint vouched for
	purgeSeen := c.Purged == 0
	var scratch []byte
	err = l.store.ScanEvidence(ctx, c.AssessmentID, c.Purged, func(r *store.EvidenceRow) error {
		rep.Records++
		if r.Seq != next {
			return stop{problem(next, "", fmt.Sprintf("removed: the chain goes from sequence %d to %d", next-1, r.Seq))}
		}
		if want := probity.EvidenceID(c.AccountID, c.AssessmentID, r.Seq); r.ID != want {
			return stop{problem(r.Seq, r.ID, "inserted or moved: sequence "+fmt.Sprint(r.Seq)+" belongs to evidence "+want)}
		}
		h := record.Chain(prev, r.Seq, r.ID, r.FolderID, r.Kind, r.Body, &scratch)
		if !bytes.Equal(h[:], r.Hash) {
			return stop{problem(r.Seq, r.ID, "changed: the record does not hash to its chain hash")}
		}
		if len(live) > 0 && live[0].Seq == r.Seq {
			if !bytes.Equal(live[0].Hash, h[:]) {
				return stop{problem(lastGood+1, "", fmt.Sprintf("rewritten: the chain from sequence %d no longer matches the checkpoint signed at %d", lastGood+1, r.Seq))}
			}
			lastGood = r.Seq
			live = live[1:]
		}
		switch r.Kind {
		case record.KindPurge:
			var p record.Purge
			if err := json.Unmarshal(r.Body, &p); err != nil {
				return stop{problem(r.Seq, r.ID, "changed: the purge record does not decode")}
			}
			if p.Seq > c.Purged {
				return stop{problem(r.Seq, r.ID, "changed: the purge record names records that are still kept")}
			}
			if p.Seq == c.Purged {
				if p.Hash != canon.Digest(prev0(c)).String() {
					return stop{problem(c.Purged+1, "", "removed or changed: the first kept record does not follow the purged ones")}
				}
				purgeSeen = true
			}
		case record.KindEvidence:
			if l.Blobs != nil && bytes.Contains(r.Body, []byte(`"blobs":`)) {
				var b record.Body
				if err := json.Unmarshal(r.Body, &b); err != nil {
					return stop{problem(r.Seq, r.ID, "changed: the record does not decode")}
				}
				for _, d := range b.Blobs {
					rep.Blobs++
					what, err := checkBlob(ctx, l.Blobs, d)
					if err != nil {
						return err
					}
					if what != "" {
						return stop{problem(r.Seq, r.ID, "blob "+d+" is "+what)}
					}
				}
			}
		default:
			return stop{problem(r.Seq, r.ID, "changed: unknown record kind "+r.Kind)}
		}
		prev = h
		next++
		return nil
	})
	if s, ok := err.(stop); ok {
		return s.p, nil
	}
	if err != nil {
		return nil, err
	}
	last := next - 1
	switch {
	case last < c.Seq:
		return problem(next, "", fmt.Sprintf("removed: the chain ends at sequence %d, its head says %d", last, c.Seq)), nil
	case len(live) > 0:
		return problem(next, "", fmt.Sprintf("removed: the chain ends at sequence %d, a checkpoint was signed at %d", last, live[0].Seq)), nil
	case last > c.Seq || !bytes.Equal(prev[:], c.Hash):
		return problem(c.Seq, "", "the chain's head does not match its last record"), nil
	case !purgeSeen:
		return problem(c.Purged+1, "", "removed: records were deleted without a purge record"), nil
	}
	return nil, nil
}

func prev0(c *store.EvidenceChain) (d canon.Digest) {
	copy(d[:], c.PurgedHash)
	return d
}
