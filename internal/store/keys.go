package store

import (
	"context"
	"time"
)

// AccessKey is an API access key as stored: the secret only in sealed form.
type AccessKey struct {
	ID           string // the access key id, public
	Name         string // unique; recorded as createdBy and lastUpdatedBy
	Role         string // admin, editor or viewer
	AccountID    string // the account the key acts for
	ARN          string // the identity ARN assessment roles name; empty before it was kept
	SealedSecret []byte // the secret access key sealed under the master key
	CreatedAt    time.Time
}

// SigningKey is an Ed25519 key that signs assessment reports, its private half sealed
// under the master key. Keys are never deleted: old ones keep verifying old reports.
type SigningKey struct {
	ID            string // derived from the public key (report.KeyID)
	PublicKey     []byte
	SealedPrivate []byte
	CreatedAt     time.Time
}

// KeyReader reads access keys and report signing keys.
type KeyReader interface {
	// SigningKeys returns every report signing key, oldest first; the last signs.
	SigningKeys(ctx context.Context) ([]SigningKey, error)
	// AccessKey returns the key with the id, or an ENOTFOUND error.
	AccessKey(ctx context.Context, id string) (*AccessKey, error)
	// AccessKeys returns every key in name order.
	AccessKeys(ctx context.Context) ([]AccessKey, error)
}

// KeyWriter changes access keys and adds report signing keys.
type KeyWriter interface {
	// PutSigningKey stores a report signing key. It returns an ECONFLICT error for a
	// known id.
	PutSigningKey(ctx context.Context, k *SigningKey) error
	// CreateAccessKey stores a new key. It returns an ECONFLICT error when a key with the
	// same id, or with the same name in the same account, exists. Names are unique per
	// account only: other accounts' names neither block nor reveal anything.
	CreateAccessKey(ctx context.Context, k *AccessKey) error
	// DeleteAccessKey deletes account's key with the name, or returns an ENOTFOUND error.
	DeleteAccessKey(ctx context.Context, account, name string) error
}
