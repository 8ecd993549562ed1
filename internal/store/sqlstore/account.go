package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// Account implements store.AccountReader.
func (r reader) Account(ctx context.Context, id string) (*store.Account, error) {
	var a store.Account
	var settings string
	var updated int64
	err := r.q.QueryRowContext(ctx, r.db.rebind(`SELECT id, status, settings, updated_at FROM accounts WHERE id = ?`), id).
		Scan(&a.ID, &a.Status, &settings, &updated)
	if isNoRows(err) {
		return nil, probity.Errorf(probity.ENOTFOUND, "account %s has no stored state", id)
	} else if err != nil {
		return nil, fmt.Errorf("get account: %w", err)
	}
	a.Settings, a.UpdatedAt = []byte(settings), time.Unix(0, updated).UTC()
	return &a, nil
}

// PutAccount implements store.AccountWriter.
func (r *writer) PutAccount(ctx context.Context, a *store.Account) error {
	settings := string(a.Settings)
	if settings == "" {
		settings = "{}"
	}
	_, err := r.q.ExecContext(ctx, r.db.rebind(`INSERT INTO accounts (id, status, settings, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, settings = excluded.settings, updated_at = excluded.updated_at`),
		a.ID, a.Status, settings, a.UpdatedAt.UnixNano())
	if err != nil {
		return fmt.Errorf("put account: %w", err)
	}
	return nil
}
