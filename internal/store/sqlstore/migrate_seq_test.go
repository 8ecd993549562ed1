package sqlstore

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// TestChangeLogSequenceBackfill: migration 0065 gives the change log entries stored
// before it the places of their (created_at, id) order, per assessment, and entries
// added after it follow them whatever their time.
func TestChangeLogSequenceBackfill(t *testing.T) {
	ctx := context.Background()
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "old.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	if _, err := raw.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, _ := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if version > 60 {
			break
		}
		body, _ := migrations.ReadFile(name)
		for _, stmt := range splitStatements(string(body)) {
			if _, err := raw.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", base, err)
			}
		}
		if after := afterMigration[version]; after != nil {
			tx, err := raw.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := after(ctx, &DB{}, tx); err != nil {
				t.Fatalf("%s: %v", base, err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := raw.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, version); err != nil {
			t.Fatal(err)
		}
	}
	for _, stmt := range []string{
		`INSERT INTO assessments (id, account_id, name, status, created_at, updated_at, body) VALUES ('a1', '111122223333', 'A', 'ACTIVE', 1, 1, '{}')`,
		`INSERT INTO assessments (id, account_id, name, status, created_at, updated_at, body) VALUES ('a2', '111122223333', 'B', 'ACTIVE', 1, 1, '{}')`,
		// Stored out of order: by time, then id, a1's log is l1, l2, l3.
		`INSERT INTO assessment_change_logs (id, account_id, assessment_id, object_type, object_name, action, created_at, created_by) VALUES ('l3', '111122223333', 'a1', 'CONTROL', 'c', 'REVIEWED', 20, 'x')`,
		`INSERT INTO assessment_change_logs (id, account_id, assessment_id, object_type, object_name, action, created_at, created_by) VALUES ('l2', '111122223333', 'a1', 'CONTROL', 'c', 'UNDER_REVIEW', 10, 'x')`,
		`INSERT INTO assessment_change_logs (id, account_id, assessment_id, object_type, object_name, action, created_at, created_by) VALUES ('l1', '111122223333', 'a1', 'ASSESSMENT', 'A', 'CREATE', 10, 'x')`,
		`INSERT INTO assessment_change_logs (id, account_id, assessment_id, object_type, object_name, action, created_at, created_by) VALUES ('m1', '111122223333', 'a2', 'ASSESSMENT', 'B', 'CREATE', 5, 'x')`,
	} {
		if _, err := raw.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	db, err := Open(ctx, raw, Dialect{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var seqs []string
	rows, err := raw.QueryContext(ctx, `SELECT id, seq FROM assessment_change_logs ORDER BY assessment_id, seq`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var seq int
		if err := rows.Scan(&id, &seq); err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, id+"="+strconv.Itoa(seq))
	}
	rows.Close()
	if got, want := strings.Join(seqs, " "), "l1=1 l2=2 l3=3 m1=1"; got != want {
		t.Errorf("backfilled %s, want %s", got, want)
	}
	// An entry added now comes after them, though its time is earlier.
	err = db.Update(ctx, store.LockAssessments, func(tx store.Tx) error {
		return tx.AddChangeLogs(ctx, []probity.ChangeLog{{ID: "l0", AccountID: "111122223333", AssessmentID: "a1",
			ObjectType: probity.ChangeAssessment, ObjectName: "A", Action: probity.ActionUpdateMetadata, CreatedAt: time.Unix(0, 1), CreatedBy: "x"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.ChangeLogs(ctx, store.ChangeLogQuery{Account: "111122223333", AssessmentID: "a1", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range got {
		ids = append(ids, l.ID)
	}
	if strings.Join(ids, " ") != "l1 l2 l3 l0" {
		t.Errorf("log of a1 = %v, want l1 l2 l3 l0", ids)
	}
}
