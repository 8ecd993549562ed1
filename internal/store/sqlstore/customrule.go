package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
)

const customRuleColumns = `id, account_id, name, definition, managed_by, created_at, created_by, last_updated_at, last_updated_by`

// ruleDefinition is the definition column: the members a rule's file sets, but its name.
type ruleDefinition struct {
	Description   string                  `json:"description,omitempty"`
	ResourceTypes []string                `json:"resourceTypes"`
	Parameters    []probity.RuleParameter `json:"parameters,omitempty"`
	Applicable    string                  `json:"applicable,omitempty"`
	Condition     string                  `json:"condition"`
	Annotation    string                  `json:"annotation,omitempty"`
}

// CustomRules implements store.Reader.
func (r reader) CustomRules(ctx context.Context, account string) ([]probity.CustomRule, error) {
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT `+customRuleColumns+` FROM custom_rules WHERE account_id = ? ORDER BY name`), account)
	if err != nil {
		return nil, fmt.Errorf("list custom rules: %w", err)
	}
	defer rows.Close()
	var out []probity.CustomRule
	for rows.Next() {
		var cr probity.CustomRule
		var def string
		var created, updated int64
		if err := rows.Scan(&cr.ID, &cr.AccountID, &cr.Name, &def, &cr.ManagedBy, &created, &cr.CreatedBy, &updated, &cr.LastUpdatedBy); err != nil {
			return nil, fmt.Errorf("list custom rules: %w", err)
		}
		var d ruleDefinition
		if err := json.Unmarshal([]byte(def), &d); err != nil {
			return nil, fmt.Errorf("custom rule %s: definition: %w", cr.ID, err)
		}
		cr.Description, cr.ResourceTypes, cr.Parameters = d.Description, d.ResourceTypes, d.Parameters
		cr.Applicable, cr.Condition, cr.Annotation = d.Applicable, d.Condition, d.Annotation
		cr.CreatedAt, cr.LastUpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
		out = append(out, cr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list custom rules: %w", err)
	}
	return out, nil
}

// PutCustomRules implements store.Tx.
func (w *writer) PutCustomRules(ctx context.Context, rs []*probity.CustomRule) error {
	rows := make([][]any, 0, len(rs))
	for _, cr := range rs {
		def, err := json.Marshal(ruleDefinition{Description: cr.Description, ResourceTypes: cr.ResourceTypes, Parameters: cr.Parameters,
			Applicable: cr.Applicable, Condition: cr.Condition, Annotation: cr.Annotation})
		if err != nil {
			return fmt.Errorf("custom rule %s: %w", cr.ID, err)
		}
		rows = append(rows, []any{cr.ID, cr.AccountID, cr.Name, string(def), cr.ManagedBy, cr.CreatedAt.UnixNano(), cr.CreatedBy,
			cr.LastUpdatedAt.UnixNano(), cr.LastUpdatedBy})
	}
	n, err := w.insert(ctx, "custom_rules", customRuleColumns, rows, upsertClause("custom_rules", customRuleColumns))
	if err := w.db.classify(err, "a custom rule of the account already has one of these names", ""); err != nil {
		return err
	}
	return sameAccount(n, len(rows), "custom rule")
}

// DeleteCustomRules implements store.Tx.
func (w *writer) DeleteCustomRules(ctx context.Context, account string, ids []string) error {
	return w.deleteExisting(ctx, "custom_rules", "custom rule", account, ids)
}

// A change to an account's custom rules moves its library revision, as one to its
// controls does (revision.go), so that readers keeping compiled rules learn of it.
func init() { afterMigration[110] = revisionTriggersOn("custom_rules") }
