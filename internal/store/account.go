package store

import (
	"context"

	"github.com/probity-dev/probity"
)

// AccountReader reads accounts.
type AccountReader interface {
	// Account returns the account with the id, or an ENOTFOUND error when none was stored.
	Account(ctx context.Context, id string) (*probity.Account, error)
}

// AccountWriter changes accounts.
type AccountWriter interface {
	// PutAccount inserts or replaces the account.
	PutAccount(ctx context.Context, a *probity.Account) error
}
