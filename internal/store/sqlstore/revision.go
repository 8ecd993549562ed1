package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// LibraryRevision implements store.Reader: the account's revision plus the standard
// content's, both only ever growing, so that a change to either moves the sum.
func (r reader) LibraryRevision(ctx context.Context, account string) (int64, error) {
	var rev int64
	err := r.q.QueryRowContext(ctx, r.db.rebind(`SELECT COALESCE(SUM(revision), 0) FROM library_revisions WHERE account_id IN (?, '')`), account).Scan(&rev)
	if err != nil {
		return 0, fmt.Errorf("library revision: %w", err)
	}
	return rev, nil
}

// LibraryRevision implements store.Reader.
func (db *DB) LibraryRevision(ctx context.Context, account string) (int64, error) {
	return gated(db, ctx, func() (int64, error) { return db.read.LibraryRevision(ctx, account) })
}

// revisionTriggers makes every insert, update and delete of controls and frameworks bump
// the revision of the libraries it touches, in its own transaction. Control sets are
// written only with their framework's row (PutFrameworks upserts it; deleting it
// cascades), so the framework's trigger covers them. PostgreSQL (the dialect with
// numbered placeholders) bumps once per statement and account, so that a bulk apply adds
// a few updates rather than one per row; SQLite has only row triggers, which are cheap
// there.
func revisionTriggers(ctx context.Context, db *DB, tx *sql.Tx) error {
	var stmts []string
	if db.dialect.Numbered {
		stmts = append(stmts, postgresBumpFunction)
	}
	for _, table := range []string{"controls", "frameworks"} {
		stmts = append(stmts, tableRevisionTriggers(db.dialect.Numbered, table)...)
	}
	return execAll(ctx, tx, stmts)
}

// revisionTriggersOn returns the step after a migration that makes the rows of table
// (with an account_id column) move their library's revision as controls do: for the
// library's other kinds (custom rules, finding mappings), so that readers keeping the
// library in memory learn of their changes too.
func revisionTriggersOn(table string) func(ctx context.Context, db *DB, tx *sql.Tx) error {
	return func(ctx context.Context, db *DB, tx *sql.Tx) error {
		return execAll(ctx, tx, tableRevisionTriggers(db.dialect.Numbered, table))
	}
}

func execAll(ctx context.Context, tx *sql.Tx, stmts []string) error {
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

const bumpSQLite = `INSERT INTO library_revisions (account_id, revision) VALUES (%s.account_id, 1)
	ON CONFLICT (account_id) DO UPDATE SET revision = revision + 1;`

// postgresBumpFunction is the statement trigger function of PostgreSQL's revision
// triggers, made with the first of them (migration 0090).
const postgresBumpFunction = `CREATE FUNCTION probity_bump_library_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO library_revisions (account_id, revision) SELECT DISTINCT account_id, 1 FROM new_rows
			ON CONFLICT (account_id) DO UPDATE SET revision = library_revisions.revision + 1;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO library_revisions (account_id, revision)
			SELECT account_id, 1 FROM new_rows UNION SELECT account_id, 1 FROM old_rows
			ON CONFLICT (account_id) DO UPDATE SET revision = library_revisions.revision + 1;
	ELSE
		INSERT INTO library_revisions (account_id, revision) SELECT DISTINCT account_id, 1 FROM old_rows
			ON CONFLICT (account_id) DO UPDATE SET revision = library_revisions.revision + 1;
	END IF;
	RETURN NULL;
END
$$`

// tableRevisionTriggers returns the triggers that bump the revision on every change of
// table: row triggers on SQLite, statement triggers calling postgresBumpFunction on
// PostgreSQL. They are named TABLE_revision_EVENT.
func tableRevisionTriggers(postgres bool, table string) []string {
	if !postgres {
		return []string{
			fmt.Sprintf(`CREATE TRIGGER %s_revision_insert AFTER INSERT ON %s BEGIN `+bumpSQLite+` END`, table, table, "NEW"),
			fmt.Sprintf(`CREATE TRIGGER %s_revision_update AFTER UPDATE ON %s BEGIN `+bumpSQLite+` `+bumpSQLite+` END`, table, table, "OLD", "NEW"),
			fmt.Sprintf(`CREATE TRIGGER %s_revision_delete AFTER DELETE ON %s BEGIN `+bumpSQLite+` END`, table, table, "OLD"),
		}
	}
	var out []string
	for _, t := range []struct{ event, tables string }{
		{"INSERT", "NEW TABLE AS new_rows"},
		{"UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"},
		{"DELETE", "OLD TABLE AS old_rows"},
	} {
		out = append(out, fmt.Sprintf(`CREATE TRIGGER %s_revision_%s AFTER %s ON %s REFERENCING %s
	FOR EACH STATEMENT EXECUTE FUNCTION probity_bump_library_revision()`, table, t.event, t.event, table, t.tables))
	}
	return out
}
