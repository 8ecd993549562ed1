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

// KeyReader reads access keys.
type KeyReader interface {
	// AccessKey returns the key with the id, or an ENOTFOUND error.
	AccessKey(ctx context.Context, id string) (*AccessKey, error)
	// AccessKeys returns every key in name order.
	AccessKeys(ctx context.Context) ([]AccessKey, error)
}

// KeyWriter changes access keys.
type KeyWriter interface {
	// CreateAccessKey stores a new key. It returns an ECONFLICT error when a key with the
	// same id or name exists.
	CreateAccessKey(ctx context.Context, k *AccessKey) error
	// DeleteAccessKey deletes the key with the name, or returns an ENOTFOUND error.
	DeleteAccessKey(ctx context.Context, name string) error
}
