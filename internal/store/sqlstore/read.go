package sqlstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// reader reads through a *sql.DB or, inside Update, the transaction.
type reader struct {
	q  querier
	db *DB
}

const controlColumns = `id, arn, type, name, description, testing_information, action_plan_title,
	action_plan_instructions, control_sources, state, mapping_sources, tags, created_at, created_by,
	last_updated_at, last_updated_by, managed_by, source_digest, account_id, domain`

// controlWriteColumns are controlColumns and the content digest every write records
// (probity.ContentDigest), which only LibraryOutline reads.
const controlWriteColumns = controlColumns + `, content_digest`

const frameworkColumns = `id, arn, type, name, compliance_type, description, logo, tags, created_at,
	created_by, last_updated_at, last_updated_by, managed_by, account_id`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanControl(s scanner) (*probity.Control, error) {
	var c probity.Control
	if err := scanControlInto(s, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// scanControlInto reads one row into c, so a whole library fills one slice in place.
func scanControlInto(s scanner, c *probity.Control) error {
	var sources, tags string
	var created, updated int64
	if err := s.Scan(&c.ID, &c.ARN, &c.Type, &c.Name, &c.Description, &c.TestingInformation,
		&c.ActionPlanTitle, &c.ActionPlanInstructions, &c.ControlSources, &c.State, &sources, &tags,
		&created, &c.CreatedBy, &updated, &c.LastUpdatedBy, &c.ManagedBy, &c.SourceDigest, &c.AccountID, &c.Domain); err != nil {
		return err
	}
	var err error
	if c.ControlMappingSources, err = decodeSources(sources); err != nil {
		return fmt.Errorf("control %s: mapping sources: %w", c.ID, err)
	}
	if err := unmarshalTags(tags, &c.Tags); err != nil {
		return fmt.Errorf("control %s: %w", c.ID, err)
	}
	c.CreatedAt, c.LastUpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return nil
}

func scanFramework(s scanner) (*probity.Framework, error) {
	var f probity.Framework
	var tags string
	var created, updated int64
	if err := s.Scan(&f.ID, &f.ARN, &f.Type, &f.Name, &f.ComplianceType, &f.Description, &f.Logo,
		&tags, &created, &f.CreatedBy, &updated, &f.LastUpdatedBy, &f.ManagedBy, &f.AccountID); err != nil {
		return nil, err
	}
	if err := unmarshalTags(tags, &f.Tags); err != nil {
		return nil, fmt.Errorf("framework %s: %w", f.ID, err)
	}
	f.CreatedAt, f.LastUpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return &f, nil
}

func unmarshalTags(s string, dst *map[string]string) error {
	if tags, ok := readTags(s); ok {
		*dst = tags
		return nil
	}
	if err := json.Unmarshal([]byte(s), dst); err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	if len(*dst) == 0 {
		*dst = nil
	}
	return nil
}

// visible is the condition on account_id that keeps what an account sees: its own rows
// and the standard ones every account shares; its one argument is the account.
const visible = `account_id IN (?, '')`

// Library implements store.Reader.
func (r reader) Library(ctx context.Context, account string) (*store.Library, error) {
	n, err := r.countControls(ctx, account)
	if err != nil {
		return nil, err
	}
	return r.library(ctx, &store.Library{Controls: controlsOf(n)}, account, r.appendControls)
}

// LibraryOutline implements store.Reader.
func (r reader) LibraryOutline(ctx context.Context, account string) (*store.Library, error) {
	n, err := r.countControls(ctx, account)
	if err != nil {
		return nil, err
	}
	lib := &store.Library{Controls: controlsOf(n), ContentDigests: make(map[string]string, n)}
	return r.library(ctx, lib, account, r.appendOutlines)
}

// controlsOf returns an empty slice of capacity n, nil when n is 0.
func controlsOf(n int) []probity.Control {
	if n == 0 {
		return nil
	}
	return make([]probity.Control, 0, n)
}

// countControls returns how many controls the account sees, so that a library's
// controls are read into a slice of that size: a large library grown by append would
// leave a quarter of its slice unused, and the slices it outgrew as garbage. Outside a
// transaction the count may be off by the writes in between; it is only a capacity.
func (r reader) countControls(ctx context.Context, account string) (int, error) {
	var n int
	if err := r.q.QueryRowContext(ctx, r.db.rebind(`SELECT COUNT(*) FROM controls WHERE `+visible), account).Scan(&n); err != nil {
		return 0, fmt.Errorf("count controls: %w", err)
	}
	return n, nil
}

// library fills lib with the account's library: its controls and the shared ones, each
// read by appendControls (whole controls or outlines), then frameworks, custom rules and
// finding mappings.
func (r reader) library(ctx context.Context, lib *store.Library, account string, appendControls func(context.Context, *store.Library, string) error) (*store.Library, error) {
	// One query per account_id, so that the (account_id, type, name) index gives each its
	// order; the two runs are merged only when both hold rows.
	if err := appendControls(ctx, lib, ""); err != nil {
		return nil, err
	}
	shared := len(lib.Controls)
	if account != "" {
		if err := appendControls(ctx, lib, account); err != nil {
			return nil, err
		}
	}
	if shared > 0 && shared < len(lib.Controls) {
		slices.SortStableFunc(lib.Controls, func(a, b probity.Control) int {
			return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name))
		})
	}
	fws, err := r.frameworks(ctx, account, "")
	if err != nil {
		return nil, err
	}
	lib.Frameworks = fws
	if account != "" {
		if lib.Rules, err = r.CustomRules(ctx, account); err != nil {
			return nil, err
		}
		if lib.Mappings, err = r.FindingMappings(ctx, account); err != nil {
			return nil, err
		}
	}
	return lib, nil
}

// appendOutlines appends the outlines of the controls whose account_id is holder, in
// type and name order: the data sources are read only when their text mentions
// "Custom" (LIKE is a superset of what names a custom rule on both backends).
func (r reader) appendOutlines(ctx context.Context, lib *store.Library, holder string) error {
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT id, type, name, managed_by, source_digest, content_digest, account_id,
		CASE WHEN mapping_sources LIKE '%Custom%' THEN mapping_sources ELSE '' END
		FROM controls WHERE account_id = ? ORDER BY type, name`), holder)
	if err != nil {
		return fmt.Errorf("list controls: %w", err)
	}
	defer rows.Close()
	// A large catalog's outline is held for as long as serve runs: its owners and
	// accounts (a few values) are held once, and a content digest the catalog recorded
	// in source_digest (FILE/CONTENT) shares that string instead of a copy.
	same := map[string]string{}
	once := func(s string) string {
		if v, ok := same[s]; ok {
			return v
		}
		same[s] = s
		return s
	}
	for rows.Next() {
		lib.Controls = append(lib.Controls, probity.Control{})
		c := &lib.Controls[len(lib.Controls)-1]
		var content, sources string
		if err := rows.Scan(&c.ID, &c.Type, &c.Name, &c.ManagedBy, &c.SourceDigest, &content, &c.AccountID, &sources); err != nil {
			return fmt.Errorf("list controls: %w", err)
		}
		c.ManagedBy, c.AccountID = once(c.ManagedBy), once(c.AccountID)
		c.Type = probity.ControlType(once(string(c.Type)))
		if n := len(c.SourceDigest) - len(content); n > 0 && c.SourceDigest[n-1] == '/' && c.SourceDigest[n:] == content {
			content = c.SourceDigest[n:]
		}
		lib.ContentDigests[c.ID] = content
		if sources != "" {
			if c.ControlMappingSources, err = decodeSources(sources); err != nil {
				return fmt.Errorf("control %s: mapping sources: %w", c.ID, err)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list controls: %w", err)
	}
	return nil
}

// appendControls appends the controls whose account_id is holder, in type and name order.
func (r reader) appendControls(ctx context.Context, lib *store.Library, holder string) error {
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT `+controlColumns+` FROM controls WHERE account_id = ? ORDER BY type, name`), holder)
	if err != nil {
		return fmt.Errorf("list controls: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		lib.Controls = append(lib.Controls, probity.Control{})
		if err := scanControlInto(rows, &lib.Controls[len(lib.Controls)-1]); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list controls: %w", err)
	}
	return nil
}

// frameworks returns the frameworks the account sees, or the one with the id when id is
// not empty, with their control sets.
func (r reader) frameworks(ctx context.Context, account, id string) ([]probity.Framework, error) {
	where, args := ` WHERE `+visible, []any{account}
	if id != "" {
		where, args = where+` AND id = ?`, append(args, id)
	}
	rows, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT `+frameworkColumns+` FROM frameworks`+where+` ORDER BY type, name`), args...)
	if err != nil {
		return nil, fmt.Errorf("list frameworks: %w", err)
	}
	defer rows.Close()
	var out []probity.Framework
	byID := map[string]int{}
	for rows.Next() {
		f, err := scanFramework(rows)
		if err != nil {
			return nil, err
		}
		byID[f.ID] = len(out)
		out = append(out, *f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list frameworks: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}

	where = ` WHERE framework_id IN (SELECT id FROM frameworks` + where + `)`
	sets, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT framework_id, id, name FROM framework_control_sets`+where+` ORDER BY framework_id, position`), args...)
	if err != nil {
		return nil, fmt.Errorf("list control sets: %w", err)
	}
	defer sets.Close()
	for sets.Next() {
		var fid string
		var cs probity.ControlSet
		if err := sets.Scan(&fid, &cs.ID, &cs.Name); err != nil {
			return nil, fmt.Errorf("list control sets: %w", err)
		}
		f := &out[byID[fid]]
		f.ControlSets = append(f.ControlSets, cs)
	}
	if err := sets.Err(); err != nil {
		return nil, fmt.Errorf("list control sets: %w", err)
	}
	sets.Close()

	ctl, err := r.q.QueryContext(ctx, r.db.rebind(`SELECT framework_id, set_position, control_id FROM framework_controls`+where+` ORDER BY framework_id, set_position, position`), args...)
	if err != nil {
		return nil, fmt.Errorf("list framework controls: %w", err)
	}
	defer ctl.Close()
	for ctl.Next() {
		var fid, cid string
		var set int
		if err := ctl.Scan(&fid, &set, &cid); err != nil {
			return nil, fmt.Errorf("list framework controls: %w", err)
		}
		cs := &out[byID[fid]].ControlSets[set]
		cs.Controls = append(cs.Controls, cid)
	}
	if err := ctl.Err(); err != nil {
		return nil, fmt.Errorf("list framework controls: %w", err)
	}
	return out, nil
}

// Control implements store.Reader.
func (r reader) Control(ctx context.Context, account, id string) (*probity.Control, error) {
	c, err := scanControl(r.q.QueryRowContext(ctx, r.db.controlByID, id, account))
	if isNoRows(err) {
		return nil, probity.Errorf(probity.ENOTFOUND, "control %s does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("get control: %w", err)
	}
	return c, nil
}

// Framework implements store.Reader.
func (r reader) Framework(ctx context.Context, account, id string) (*probity.Framework, error) {
	fs, err := r.frameworks(ctx, account, id)
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, probity.Errorf(probity.ENOTFOUND, "framework %s does not exist", id)
	}
	return &fs[0], nil
}
