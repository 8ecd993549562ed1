package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/probity-dev/probity"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies, in order and each in its own transaction, every migration the database
// has not seen. Concurrent callers are serialised by the dialect's lock.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		if err := db.inTx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM schema_migrations WHERE version = ?`), version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(string(body)) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", base, err)
				}
			}
			if after := afterMigration[version]; after != nil {
				if err := after(ctx, db, tx); err != nil {
					return fmt.Errorf("%s: %w", base, err)
				}
			}
			_, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO schema_migrations (version) VALUES (?)`), version)
			return err
		}); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}

// splitStatements splits a migration on semicolons that end a line, dropping comments.
// Migrations hold no semicolons inside strings.
func splitStatements(src string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i]
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			if s := strings.TrimSpace(cur.String()); s != ";" {
				out = append(out, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// afterMigration holds the steps that SQL alone cannot express portably, run in the
// migration's transaction after its statements, by version.
var afterMigration = map[int]func(ctx context.Context, db *DB, tx *sql.Tx) error{
	40:  backfillAccounts,
	90:  revisionTriggers,
	70:  appendOnlyEvidence,
	180: backfillContentDigests,
}

// backfillContentDigests fills content_digest for the controls written before it
// existed, from each control as it is stored.
func backfillContentDigests(ctx context.Context, db *DB, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+controlColumns+` FROM controls WHERE content_digest = ''`)
	if err != nil {
		return err
	}
	type digest struct{ id, content string }
	var out []digest
	for rows.Next() {
		var c probity.Control
		if err := scanControlInto(rows, &c); err != nil {
			rows.Close()
			return err
		}
		out = append(out, digest{c.ID, probity.ContentDigest(&c)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range out {
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE controls SET content_digest = ? WHERE id = ?`), d.content, d.id); err != nil {
			return err
		}
	}
	return nil
}

// backfillAccounts gives the library stored before libraries were per account to one
// account: the one most of its custom controls' and frameworks' ARNs name
// (arn:aws:auditmanager:REGION:ACCOUNT:KIND/ID; the smallest id on a tie), else the
// default account. One account takes it all because it was one library: frameworks keep
// their controls, and no entry is left shared by accident. The notifications of that
// library, the catalog's outcomes, go to the same account.
func backfillAccounts(ctx context.Context, db *DB, tx *sql.Tx) error {
	count := map[string]int{}
	for _, table := range []string{"controls", "frameworks"} {
		rows, err := tx.QueryContext(ctx, `SELECT arn FROM `+table+` WHERE type = 'Custom'`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var arn string
			if err := rows.Scan(&arn); err != nil {
				rows.Close()
				return err
			}
			if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 && parts[4] != "" {
				count[parts[4]]++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	owner := probity.DefaultPartition.AccountID
	best := 0
	for account, n := range count {
		if n > best || (n == best && account < owner) {
			owner, best = account, n
		}
	}
	for _, q := range []string{
		`UPDATE controls SET account_id = ? WHERE type = 'Custom'`,
		`UPDATE frameworks SET account_id = ? WHERE type = 'Custom'`,
		`UPDATE notifications SET account_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, db.rebind(q), owner); err != nil {
			return err
		}
	}
	return nil
}
