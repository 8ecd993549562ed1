package report

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

// Keys manages the report signing keys in the store: the newest key signs, and every key,
// old ones included, stays to verify the reports it signed. Private halves are sealed
// under the master key (Box) with the key's id as additional data.
type Keys struct {
	Store store.Store
	Box   *secret.Box // nil: keys can be listed and exported, not made or used
	Now   func() time.Time
}

// List returns every signing key, oldest first; the last one signs.
func (k *Keys) List(ctx context.Context) ([]store.SigningKey, error) {
	return k.Store.SigningKeys(ctx)
}

// Create makes the first signing key. It returns an ECONFLICT error when one exists
// (Rotate replaces it), and an EINVALID error without a master key.
func (k *Keys) Create(ctx context.Context) (*store.SigningKey, error) {
	ks, err := k.Store.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	if len(ks) > 0 {
		return nil, probity.Errorf(probity.ECONFLICT, "a signing key exists (%s); use rotate to replace it", ks[len(ks)-1].ID)
	}
	return k.add(ctx)
}

// Rotate makes a new signing key, which signs from now on; the old ones still verify. It
// returns an EINVALID error without a master key.
func (k *Keys) Rotate(ctx context.Context) (*store.SigningKey, error) { return k.add(ctx) }

func (k *Keys) add(ctx context.Context) (*store.SigningKey, error) {
	if k.Box == nil {
		return nil, probity.Errorf(probity.EINVALID, "no master key to seal the signing key with: set PROBITY_MASTER_KEY or --master-key-file")
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	sk := &store.SigningKey{ID: KeyID(pub), PublicKey: pub, CreatedAt: k.now()}
	if sk.SealedPrivate, err = k.Box.Seal(priv.Seed(), []byte("report-signing-key:"+sk.ID)); err != nil {
		return nil, err
	}
	if err := k.Store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.PutSigningKey(ctx, sk) }); err != nil {
		return nil, fmt.Errorf("store signing key: %w", err)
	}
	return sk, nil
}

func (k *Keys) now() time.Time {
	if k.Now != nil {
		return k.Now().UTC()
	}
	return time.Now().UTC()
}

// Current returns the signer: the newest key, unsealed; when there is none yet, it makes
// one first, so a fresh server can sign its first report. It returns an EINVALID error
// without a master key, and an error when the key does not open with it.
func (k *Keys) Current(ctx context.Context) (*Signer, error) {
	ks, err := k.Store.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	if len(ks) == 0 {
		sk, err := k.add(ctx)
		if err != nil {
			return nil, err
		}
		ks = []store.SigningKey{*sk}
	}
	sk := ks[len(ks)-1]
	if k.Box == nil {
		return nil, probity.Errorf(probity.EINVALID, "no master key to open the signing key with: set PROBITY_MASTER_KEY or --master-key-file")
	}
	seed, err := k.Box.Open(sk.SealedPrivate, []byte("report-signing-key:"+sk.ID))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing key %s does not open with this master key", sk.ID)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), sk.PublicKey) {
		return nil, fmt.Errorf("signing key %s: the stored public key is not the sealed key's", sk.ID)
	}
	return &Signer{ID: sk.ID, Private: priv, CreatedAt: sk.CreatedAt}, nil
}

// Trust returns a Trust of every stored signing key, old ones included.
func (k *Keys) Trust(ctx context.Context) (Trust, error) {
	ks, err := k.Store.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	pubs := make([]ed25519.PublicKey, 0, len(ks))
	for _, sk := range ks {
		pubs = append(pubs, sk.PublicKey)
	}
	return TrustKeys(pubs...), nil
}

// MarshalPublicKey returns pub as a PEM "PUBLIC KEY" block (PKIX, as openssl reads it).
func MarshalPublicKey(pub ed25519.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(pub) // cannot fail for an Ed25519 key
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// ParsePublicKey reads an Ed25519 public key from a PEM "PUBLIC KEY" block. It returns an
// error naming what is wrong for anything else.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("not a PEM PUBLIC KEY block")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key: %T, not Ed25519", k)
	}
	return pub, nil
}
