package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
)

const findingMappingColumns = `id, account_id, name, definition, managed_by, created_at, created_by, last_updated_at, last_updated_by`

// mappingDefinition is the definition column: the members a mapping's file sets, but its
// name.
type mappingDefinition struct {
	Description string                `json:"description,omitempty"`
	Rules       []probity.MappingRule `json:"rules"`
}

// FindingMappings implements store.Reader.
func (r reader) FindingMappings(ctx context.Context, account string) ([]probity.FindingMapping, error) {
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT `+findingMappingColumns+` FROM finding_mappings WHERE account_id = ? ORDER BY name`), account)
	if err != nil {
		return nil, fmt.Errorf("list finding mappings: %w", err)
	}
	defer rows.Close()
	var out []probity.FindingMapping
	for rows.Next() {
		var m probity.FindingMapping
		var def string
		var created, updated int64
		if err := rows.Scan(&m.ID, &m.AccountID, &m.Name, &def, &m.ManagedBy, &created, &m.CreatedBy, &updated, &m.LastUpdatedBy); err != nil {
			return nil, fmt.Errorf("list finding mappings: %w", err)
		}
		var d mappingDefinition
		if err := json.Unmarshal([]byte(def), &d); err != nil {
			return nil, fmt.Errorf("finding mapping %s: definition: %w", m.ID, err)
		}
		m.Description, m.Rules = d.Description, d.Rules
		m.CreatedAt, m.LastUpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list finding mappings: %w", err)
	}
	return out, nil
}

// PutFindingMappings implements store.Tx.
func (w *writer) PutFindingMappings(ctx context.Context, ms []*probity.FindingMapping) error {
	rows := make([][]any, 0, len(ms))
	for _, m := range ms {
		def, err := json.Marshal(mappingDefinition{Description: m.Description, Rules: m.Rules})
		if err != nil {
			return fmt.Errorf("finding mapping %s: %w", m.ID, err)
		}
		rows = append(rows, []any{m.ID, m.AccountID, m.Name, string(def), m.ManagedBy, m.CreatedAt.UnixNano(), m.CreatedBy,
			m.LastUpdatedAt.UnixNano(), m.LastUpdatedBy})
	}
	n, err := w.insert(ctx, "finding_mappings", findingMappingColumns, rows, upsertClause("finding_mappings", findingMappingColumns))
	if err := w.db.classify(err, "a finding mapping of the account already has one of these names", ""); err != nil {
		return err
	}
	return sameAccount(n, len(rows), "finding mapping")
}

// DeleteFindingMappings implements store.Tx.
func (w *writer) DeleteFindingMappings(ctx context.Context, account string, ids []string) error {
	return w.deleteExisting(ctx, "finding_mappings", "finding mapping", account, ids)
}

// A change to an account's finding mappings moves its library revision, as one to its
// custom rules does (customrule.go), so that a reader keeping the library in memory
// (a pipeline source planning against it) learns of it.
func init() { afterMigration[140] = revisionTriggersOn("finding_mappings") }
