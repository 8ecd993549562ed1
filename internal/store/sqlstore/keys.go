package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// CreateAccessKey implements store.KeyWriter.
func (w *writer) CreateAccessKey(ctx context.Context, k *store.AccessKey) error {
	_, err := w.q.ExecContext(ctx, w.db.rebind(`INSERT INTO access_keys (id, name, role, account_id, sealed_secret, created_at, arn)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), k.ID, k.Name, k.Role, k.AccountID,
		base64.StdEncoding.EncodeToString(k.SealedSecret), k.CreatedAt.UnixNano(), k.ARN)
	if err := w.db.classify(err, "account "+k.AccountID+" already has an access key named "+k.Name, ""); err != nil {
		return fmt.Errorf("create access key: %w", err)
	}
	return nil
}

// AccessKey implements store.KeyReader.
func (r reader) AccessKey(ctx context.Context, id string) (*store.AccessKey, error) {
	k, err := scanKey(r.q.QueryRowContext(ctx, r.db.rebind(`SELECT id, name, role, account_id, sealed_secret, created_at, arn
		FROM access_keys WHERE id = ?`), id))
	if isNoRows(err) {
		return nil, probity.Errorf(probity.ENOTFOUND, "access key %s does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("get access key: %w", err)
	}
	return k, nil
}

// AccessKeys implements store.KeyReader.
func (r reader) AccessKeys(ctx context.Context) ([]store.AccessKey, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT id, name, role, account_id, sealed_secret, created_at, arn
		FROM access_keys ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list access keys: %w", err)
	}
	defer rows.Close()
	var out []store.AccessKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list access keys: %w", err)
		}
		out = append(out, *k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list access keys: %w", err)
	}
	return out, nil
}

// DeleteAccessKey implements store.KeyWriter.
func (w *writer) DeleteAccessKey(ctx context.Context, account, name string) error {
	res, err := w.q.ExecContext(ctx, w.db.rebind(`DELETE FROM access_keys WHERE account_id = ? AND name = ?`), account, name)
	if err != nil {
		return fmt.Errorf("delete access key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete access key: %w", err)
	} else if n == 0 {
		return probity.Errorf(probity.ENOTFOUND, "account %s has no access key named %s", account, name)
	}
	return nil
}

func scanKey(s scanner) (*store.AccessKey, error) {
	var k store.AccessKey
	var sealed string
	var created int64
	if err := s.Scan(&k.ID, &k.Name, &k.Role, &k.AccountID, &sealed, &created, &k.ARN); err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return nil, fmt.Errorf("access key %s: sealed secret: %w", k.ID, err)
	}
	k.SealedSecret, k.CreatedAt = b, time.Unix(0, created).UTC()
	return &k, nil
}
