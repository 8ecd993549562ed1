package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/probity-dev/probity/internal/store"
)

// SigningKeys implements store.KeyReader.
func (db *DB) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	return gated(db, ctx, func() ([]store.SigningKey, error) { return db.read.SigningKeys(ctx) })
}

// SigningKeys implements store.KeyReader.
func (r reader) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT id, public_key, sealed_private, created_at FROM report_signing_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("read signing keys: %w", err)
	}
	defer rows.Close()
	var out []store.SigningKey
	for rows.Next() {
		var k store.SigningKey
		var sealed string
		var at int64
		if err := rows.Scan(&k.ID, &k.PublicKey, &sealed, &at); err != nil {
			return nil, fmt.Errorf("read signing keys: %w", err)
		}
		if k.SealedPrivate, err = base64.StdEncoding.DecodeString(sealed); err != nil {
			return nil, fmt.Errorf("signing key %s: %w", k.ID, err)
		}
		k.CreatedAt = time.Unix(0, at).UTC()
		out = append(out, k)
	}
	return out, rows.Err()
}

// PutSigningKey implements store.KeyWriter.
func (w *writer) PutSigningKey(ctx context.Context, k *store.SigningKey) error {
	_, err := w.q.ExecContext(ctx, w.db.rebind(`INSERT INTO report_signing_keys (id, public_key, sealed_private, created_at) VALUES (?, ?, ?, ?)`),
		k.ID, k.PublicKey, base64.StdEncoding.EncodeToString(k.SealedPrivate), k.CreatedAt.UnixNano())
	return w.db.classify(err, "a signing key with that id exists", "")
}
