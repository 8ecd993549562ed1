package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/probity-dev/probity"
)

// TestBackfillAccounts opens a library written before libraries were per account, whose
// ARNs name two accounts (the API and the CLI once made ARNs in different accounts), and
// checks that it goes whole to the account most of it names: frameworks keep their
// controls, nothing is left shared, and the old notifications follow.
func TestBackfillAccounts(t *testing.T) {
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
	for _, m := range []struct {
		file    string
		version int
	}{{"0001_library.sql", 1}, {"0002_api.sql", 2}, {"0010_notifications.sql", 10}, {"0020_catalog_files.sql", 20}, {"0030_control_source_digest.sql", 30}} {
		body, err := migrations.ReadFile("migrations/" + m.file)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range splitStatements(string(body)) {
			if _, err := raw.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", m.file, err)
			}
		}
		if _, err := raw.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, m.version); err != nil {
			t.Fatal(err)
		}
	}
	const cliAccount, apiAccount = "000000000000", "123456789012"
	arn := func(account, kind, id string) string {
		return "arn:aws:auditmanager:us-east-1:" + account + ":" + kind + "/" + id
	}
	for _, c := range []struct{ id, account, name string }{
		{"c1", cliAccount, "From the files"}, {"c2", apiAccount, "From the API"}, {"c3", apiAccount, "Also from the API"},
	} {
		if _, err := raw.ExecContext(ctx, `INSERT INTO controls (id, arn, type, name, state, mapping_sources, created_at, last_updated_at)
			VALUES (?, ?, 'Custom', ?, 'ACTIVE', '[]', 1, 1)`, c.id, arn(c.account, "control", c.id), c.name); err != nil {
			t.Fatal(err)
		}
	}
	for _, stmt := range []string{
		`INSERT INTO frameworks (id, arn, type, name, created_at, last_updated_at) VALUES ('f1', '` + arn(apiAccount, "assessmentFramework", "f1") + `', 'Custom', 'F', 1, 1)`,
		`INSERT INTO framework_control_sets (framework_id, position, id, name) VALUES ('f1', 0, 's1', 'Set')`,
		`INSERT INTO framework_controls (framework_id, set_position, position, control_id) VALUES ('f1', 0, 0, 'c1')`,
		`INSERT INTO notifications (id, description, event_time, source) VALUES ('n1', 'catalog source git-prod failed', 1, 'git-prod')`,
	} {
		if _, err := raw.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}

	db, err := Open(ctx, raw, Dialect{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lib, err := db.Library(ctx, apiAccount)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Controls) != 3 || len(lib.Frameworks) != 1 {
		t.Fatalf("account %s holds %d controls and %d frameworks, want the whole old library (3 and 1)", apiAccount, len(lib.Controls), len(lib.Frameworks))
	}
	if _, err := db.Control(ctx, apiAccount, "c1"); err != nil {
		t.Fatalf("the framework's control is not in the framework's account: %v", err)
	}
	other, err := db.Library(ctx, cliAccount)
	if err != nil || len(other.Controls)+len(other.Frameworks) != 0 {
		t.Fatalf("account %s still sees %d controls and %d frameworks (%v); want none", cliAccount, len(other.Controls), len(other.Frameworks), err)
	}
	if notes, err := db.Notifications(ctx, apiAccount, "", 10); err != nil || len(notes) != 1 {
		t.Fatalf("the old notifications did not follow the library: %v, %v", notes, err)
	}
	if notes, err := db.Notifications(ctx, "999999999999", "", 10); err != nil || len(notes) != 0 {
		t.Fatalf("another account sees the old notifications: %v, %v", notes, err)
	}
	// Migration 0180 records the content digest of every control written before it.
	outline, err := db.LibraryOutline(ctx, apiAccount)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range lib.Controls {
		if got, want := outline.ContentDigests[c.ID], probity.ContentDigest(&c); got != want {
			t.Errorf("control %s: content digest %q after the migration, want %q", c.ID, got, want)
		}
	}
}
