package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// EvidenceUpload implements store.Reader.
func (r reader) EvidenceUpload(ctx context.Context, account, id string) (*store.EvidenceUpload, error) {
	u := store.EvidenceUpload{ID: id, AccountID: account}
	var at int64
	err := r.q.QueryRowContext(ctx, r.db.rebind(`SELECT file_name, digest, size, at FROM evidence_uploads
		WHERE id = ? AND account_id = ?`), id, account).Scan(&u.FileName, &u.Digest, &u.Size, &at)
	if isNoRows(err) {
		return nil, probity.NotFound("evidence upload", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read evidence upload: %w", err)
	}
	u.At = time.Unix(0, at).UTC()
	return &u, nil
}

// EvidenceUpload implements store.Reader outside transactions.
func (db *DB) EvidenceUpload(ctx context.Context, account, id string) (*store.EvidenceUpload, error) {
	return gated(db, ctx, func() (*store.EvidenceUpload, error) { return db.read.EvidenceUpload(ctx, account, id) })
}

// PutEvidenceUpload implements store.Tx.
func (w *writer) PutEvidenceUpload(ctx context.Context, u *store.EvidenceUpload) error {
	_, err := w.tx.ExecContext(ctx, w.db.rebind(`INSERT INTO evidence_uploads (id, account_id, file_name, digest, size, at)
		VALUES (?, ?, ?, ?, ?, ?)`), u.ID, u.AccountID, u.FileName, u.Digest, u.Size, u.At.UnixNano())
	return w.db.classify(err, "the upload "+u.ID+" was made already", "")
}
