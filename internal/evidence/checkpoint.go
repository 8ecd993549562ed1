package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"sync"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/canon"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

// Checkpoint signs the head of the assessment's chain now, with the reason recorded
// ("on demand" when empty). It returns nil and no error when the chain is empty or the
// head is signed already, and an error when no key can sign (no master key).
func (l *Ledger) Checkpoint(ctx context.Context, account, assessmentID, reason string) (*store.EvidenceCheckpoint, error) {
	if reason == "" {
		reason = "on demand"
	}
	c := l.chain(assessmentID)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.known = false // sign what the store holds, whoever appended it
	return l.checkpoint(ctx, c, account, assessmentID, reason)
}

// StatusChanged is what the assessment code calls at every change of an assessment's
// status: it signs a checkpoint of the chain as it stands, with the new status as the
// reason. It fails as Checkpoint does.
func (l *Ledger) StatusChanged(ctx context.Context, account, assessmentID, status string) error {
	_, err := l.Checkpoint(ctx, account, assessmentID, "status "+status)
	return err
}

// checkpoint signs c's head; the caller holds c.mu.
func (l *Ledger) checkpoint(ctx context.Context, c *chain, account, assessmentID, reason string) (*store.EvidenceCheckpoint, error) {
	if err := l.head(ctx, c, account, assessmentID); err != nil {
		return nil, err
	}
	if c.seq == 0 {
		return nil, nil
	}
	key, priv, err := l.signer.key(ctx, l.Now)
	if err != nil {
		return nil, err
	}
	cp := &store.EvidenceCheckpoint{AccountID: account, AssessmentID: assessmentID, Seq: c.seq,
		Hash: append([]byte(nil), c.hash[:]...), At: l.Now().UTC(), Reason: reason, KeyID: key.ID}
	msg, err := checkpointMessage(cp)
	if err != nil {
		return nil, err
	}
	cp.Signature = ed25519.Sign(priv, msg)
	err = l.store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.PutEvidenceCheckpoint(ctx, cp) })
	if probity.ErrorCode(err) == probity.ECONFLICT {
		return nil, nil // this head is signed already
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return cp, nil
}

// checkpointMessage is what a checkpoint's signature covers: canon's form of its members.
func checkpointMessage(c *store.EvidenceCheckpoint) ([]byte, error) {
	return canon.Marshal(map[string]any{
		"version": "probity-checkpoint/1", "account": c.AccountID, "assessment": c.AssessmentID,
		"seq": c.Seq, "hash": fmt.Sprintf("sha256:%x", c.Hash), "at": c.At.UTC().Format(time.RFC3339Nano),
		"reason": c.Reason, "key": c.KeyID,
	})
}

// signer holds the checkpoint signing key: the newest ledger key, unsealed once.
type signer struct {
	store store.Store
	box   *secret.Box

	mu   sync.Mutex
	id   *store.LedgerKey
	priv ed25519.PrivateKey
}

// key returns the signing key, making and storing one when the store has none.
func (s *signer) key(ctx context.Context, now func() time.Time) (*store.LedgerKey, ed25519.PrivateKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.priv != nil {
		return s.id, s.priv, nil
	}
	if s.box == nil {
		return nil, nil, probity.Errorf(probity.EINVALID, "no master key to sign evidence checkpoints with: set PROBITY_MASTER_KEY or --master-key-file")
	}
	for range 2 {
		keys, err := s.store.LedgerKeys(ctx)
		if err != nil {
			return nil, nil, err
		}
		if len(keys) > 0 {
			k := keys[len(keys)-1]
			priv, err := openKey(s.box, &k)
			if err != nil {
				return nil, nil, err
			}
			s.id, s.priv = &k, priv
			return s.id, s.priv, nil
		}
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		k := store.LedgerKey{ID: probity.NewID(), PublicKey: pub, CreatedAt: now().UTC()}
		if k.SealedPrivate, err = s.box.Seal(priv.Seed(), []byte("ledger-key:"+k.ID)); err != nil {
			return nil, nil, err
		}
		err = s.store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.PutLedgerKey(ctx, &k) })
		if err != nil && probity.ErrorCode(err) != probity.ECONFLICT {
			return nil, nil, fmt.Errorf("store ledger key: %w", err)
		}
		// Another process may have stored its key meanwhile: read the keys again.
	}
	return nil, nil, fmt.Errorf("store ledger key: no key after creating one")
}

// openKey unseals a ledger key and checks that its stored public half is its own. It
// returns an error when the master key is another or either half was changed.
func openKey(box *secret.Box, k *store.LedgerKey) (ed25519.PrivateKey, error) {
	seed, err := box.Open(k.SealedPrivate, []byte("ledger-key:"+k.ID))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("ledger key %s does not open with this master key", k.ID)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), k.PublicKey) {
		return nil, fmt.Errorf("ledger key %s: the stored public key is not the sealed key's", k.ID)
	}
	return priv, nil
}
