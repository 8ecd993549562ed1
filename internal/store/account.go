package store

import (
	"context"
	"time"
)

// Account is the per-account state of the API: its registration status and its settings
// document, which the API layer owns (the store keeps it as opaque JSON).
type Account struct {
	ID        string
	Status    string
	Settings  []byte
	UpdatedAt time.Time
}

// AccountReader reads accounts.
type AccountReader interface {
	// Account returns the account with the id, or an ENOTFOUND error when none was stored.
	Account(ctx context.Context, id string) (*Account, error)
}

// AccountWriter changes accounts.
type AccountWriter interface {
	// PutAccount inserts or replaces the account.
	PutAccount(ctx context.Context, a *Account) error
}
