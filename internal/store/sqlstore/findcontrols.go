package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

func init() { afterMigration[161] = controlsByName }

// controlsByName makes the index that FindControls walks: an account's controls in byte
// order of name, then id.
func controlsByName(ctx context.Context, db *DB, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `CREATE INDEX controls_account_name ON controls (account_id, name`+db.dialect.ByteOrder+`, id)`)
	return err
}

// FindControls implements store.Reader: one query per holder of the library (the
// standard content, then the account), each walking the (account_id, name, id) index
// and stopping at f.Limit matches, merged.
func (r reader) FindControls(ctx context.Context, f store.ControlFilter) ([]probity.Control, error) {
	out, err := r.findControls(ctx, f, "")
	if err != nil {
		return nil, err
	}
	if f.AccountID != "" {
		own, err := r.findControls(ctx, f, f.AccountID)
		if err != nil {
			return nil, err
		}
		if len(out) > 0 && len(own) > 0 {
			out = append(out, own...)
			slices.SortFunc(out, func(a, b probity.Control) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
		} else if len(own) > 0 {
			out = own
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// findControls returns the controls whose account_id is holder that match f, in order.
func (r reader) findControls(ctx context.Context, f store.ControlFilter, holder string) ([]probity.Control, error) {
	name := "name" + r.db.dialect.ByteOrder
	q := `SELECT ` + controlColumns + ` FROM controls WHERE account_id = ?`
	args := []any{holder}
	and := func(cond string, a ...any) { q += ` AND ` + cond; args = append(args, a...) }
	if f.Type != "" {
		and(`type = ?`, string(f.Type))
	}
	if f.SourceType != "" {
		// mapping_sources is encodeSources' JSON: a source's type is the member
		// "sourceType", and a quote inside a value is escaped, so only a member matches.
		and(`mapping_sources LIKE ? ESCAPE '\'`, `%"sourceType":`+likeEscape(jsonString(string(f.SourceType)))+`%`)
	}
	if f.TagKey != "" {
		// tags is marshalTags' compact JSON object: a member begins after { or , and,
		// with its value, ends before , or }.
		member := likeEscape(jsonString(f.TagKey)) + `:`
		if f.HasTagValue {
			member += likeEscape(jsonString(f.TagValue))
			and(`(tags LIKE ? ESCAPE '\' OR tags LIKE ? ESCAPE '\' OR tags LIKE ? ESCAPE '\' OR tags LIKE ? ESCAPE '\')`,
				`{`+member+`,%`, `{`+member+`}`, `%,`+member+`,%`, `%,`+member+`}`)
		} else {
			and(`(tags LIKE ? ESCAPE '\' OR tags LIKE ? ESCAPE '\')`, `{`+member+`%`, `%,`+member+`%`)
		}
	}
	if f.Domain != "" {
		if f.Domain == probity.DomainUncategorized {
			and(`domain IN ('', ?)`, f.Domain)
		} else {
			and(`domain = ?`, f.Domain)
		}
	}
	switch f.ManagedBy {
	case store.ManagedByFile:
		and(`managed_by <> ''`)
	case store.ManagedByAPI:
		and(`managed_by = '' AND type = ?`, string(probity.ControlTypeCustom))
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		// Each backend lowers both sides its own way: SQLite ASCII letters only.
		pat := `%` + likeEscape(s) + `%`
		and(`(LOWER(name) LIKE LOWER(?) ESCAPE '\' OR LOWER(description) LIKE LOWER(?) ESCAPE '\')`, pat, pat)
	}
	if f.AfterID != "" {
		// A row value, which both backends turn into a range of the index.
		and(`(`+name+`, id) > (?, ?)`, f.AfterName, f.AfterID)
	}
	q += ` ORDER BY ` + name + `, id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := r.q.QueryContext(ctx, r.db.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("find controls: %w", err)
	}
	defer rows.Close()
	var out []probity.Control
	for rows.Next() {
		out = append(out, probity.Control{})
		if err := scanControlInto(rows, &out[len(out)-1]); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find controls: %w", err)
	}
	return out, nil
}

// jsonString returns s as encoding/json writes it, quotes included.
func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// likeEscape escapes the wildcards of LIKE (and its escape character, \) in s.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindControls implements store.Reader.
func (db *DB) FindControls(ctx context.Context, f store.ControlFilter) ([]probity.Control, error) {
	return gated(db, ctx, func() ([]probity.Control, error) { return db.read.FindControls(ctx, f) })
}
