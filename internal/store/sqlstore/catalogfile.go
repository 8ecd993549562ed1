package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// CatalogFiles implements store.CatalogFileReader.
func (r reader) CatalogFiles(ctx context.Context, source string) ([]store.CatalogFile, error) {
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT path, data, revision, updated_at FROM catalog_files
		WHERE source = ? ORDER BY path`), source)
	if err != nil {
		return nil, fmt.Errorf("list catalog files: %w", err)
	}
	defer rows.Close()
	var out []store.CatalogFile
	for rows.Next() {
		f := store.CatalogFile{Source: source}
		var data string
		var t int64
		if err := rows.Scan(&f.Path, &data, &f.Revision, &t); err != nil {
			return nil, fmt.Errorf("list catalog files: %w", err)
		}
		if f.Data, err = base64.StdEncoding.DecodeString(data); err != nil {
			return nil, fmt.Errorf("catalog file %s of %s: %w", f.Path, source, err)
		}
		f.UpdatedAt = time.Unix(0, t).UTC()
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list catalog files: %w", err)
	}
	return out, nil
}

// SaveCatalogFiles implements store.CatalogFileWriter.
func (w *writer) SaveCatalogFiles(ctx context.Context, source string, put []store.CatalogFile, remove []string) error {
	// One row per path: PostgreSQL refuses an upsert that touches a row twice.
	last := make(map[string]int, len(put))
	for i, f := range put {
		if f.Source != source {
			return probity.Errorf(probity.EINVALID, "catalog file %s belongs to %q, not %q", f.Path, f.Source, source)
		}
		last[f.Path] = i
	}
	rows := make([][]any, 0, len(last))
	for i, f := range put {
		if last[f.Path] == i {
			rows = append(rows, []any{source, f.Path, base64.StdEncoding.EncodeToString(f.Data), f.Revision, f.UpdatedAt.UnixNano()})
		}
	}
	paths := make([]any, len(remove))
	for i, p := range remove {
		paths[i] = p
	}
	if _, err := w.deleteIn(ctx, "catalog_files", "source = ?", []any{source}, "path", paths); err != nil {
		return fmt.Errorf("save catalog files: %w", err)
	}
	_, err := w.insert(ctx, "catalog_files", "source, path, data, revision, updated_at", rows,
		` ON CONFLICT (source, path) DO UPDATE SET data = excluded.data, revision = excluded.revision, updated_at = excluded.updated_at`)
	if err != nil {
		return fmt.Errorf("save catalog files: %w", err)
	}
	return nil
}
