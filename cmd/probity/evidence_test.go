package main

import (
	"context"
	"database/sql"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

// TestEvidenceVerifyExitCodes: 0 for an intact ledger, 1 naming the evidence once it is
// tampered with, 2 when it cannot check (an unknown assessment, another master key).
func TestEvidenceVerifyExitCodes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "probity.db")
	key := make([]byte, 32)
	key[0] = 7
	env := map[string]string{"PROBITY_MASTER_KEY": hex.EncodeToString(key)}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	box, _ := secret.NewBox(key)
	l := evidence.New(st, box)
	const a = "dddddddd-0000-4000-8000-000000000001"
	its := make([]probity.Evidence, 5)
	for i := range its {
		its[i] = probity.Evidence{ControlSetID: "cs", ControlID: "c", DataSource: "Manual", Time: time.Date(2026, 11, 29, 0, 0, i, 0, time.UTC),
			EvidenceByType: probity.EvidenceTypeManual, Attributes: map[string]string{"textResponse": "yes"}}
	}
	if _, err := l.Append(ctx, evidence.Batch{Account: "111122223333", AssessmentID: a, Items: its}); err != nil {
		t.Fatal(err)
	}
	if err := l.StatusChanged(ctx, "111122223333", a, "INACTIVE"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	if code, out, errOut := cli(t, env, "evidence", "verify", "--db", "sqlite:"+path); code != 0 || !strings.Contains(out, "5 record(s)") {
		t.Fatalf("intact: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := cli(t, env, "evidence", "verify", "--db", "sqlite:"+path, "--assessment", "nope"); code != 2 {
		t.Fatalf("unknown assessment: exit %d, %s", code, errOut)
	}
	other := map[string]string{"PROBITY_MASTER_KEY": hex.EncodeToString(make([]byte, 32))}
	if code, _, errOut := cli(t, other, "evidence", "verify", "--db", "sqlite:"+path); code != 2 || !strings.Contains(errOut, "master key") {
		t.Fatalf("another master key: exit %d, %s", code, errOut)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{`DROP TRIGGER evidence_no_update`, `UPDATE evidence SET body = replace(body, 'yes', 'no') WHERE seq = 3`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ := cli(t, env, "evidence", "verify", "--db", "sqlite:"+path)
	if want := probity.EvidenceID("111122223333", a, 3); code != 1 || !strings.Contains(out, "TAMPERED") || !strings.Contains(out, want) {
		t.Fatalf("tampered: exit %d, want 1 naming %s\n%s", code, want, out)
	}
}
