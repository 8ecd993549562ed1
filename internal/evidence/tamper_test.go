package evidence_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/evidence"
)

// TestVerifyNamesTheFirstTamperedEvidence tampers with the database directly (the
// append-only triggers dropped first, as the database's owner could) and with the blob
// directory, and expects verify to name the first evidence that was changed, removed,
// inserted or moved, or whose blob was altered or lost.
func TestVerifyNamesTheFirstTamperedEvidence(t *testing.T) {
	const a = "aaaaaaaa-0000-4000-8000-0000000000aa"
	id := func(seq int64) string { return probity.EvidenceID(account, a, seq) }
	const fake = "0badbeef-0000-4000-8000-000000000000"
	tests := []struct {
		name string
		sql  []string
		blob func(dir evidence.Dir, digest string) error
		want string // the evidence id verify must name; "" for intact
	}{
		{name: "intact"},
		{name: "changed body", sql: []string{`UPDATE evidence SET body = replace(body, 'answer 7', 'answer 8') WHERE seq = 8`}, want: id(8)},
		{name: "changed folder", sql: []string{`UPDATE evidence SET folder_id = 'x' WHERE seq = 12`}, want: id(12)},
		{name: "removed", sql: []string{`DELETE FROM evidence WHERE seq IN (5, 9)`}, want: id(5)},
		{name: "removed last", sql: []string{`DELETE FROM evidence WHERE seq = 20`}, want: id(20)},
		{name: "inserted", sql: []string{
			`UPDATE evidence SET seq = seq + 1000 WHERE seq >= 10`,
			`UPDATE evidence SET seq = seq - 999 WHERE seq >= 1000`,
			`INSERT INTO evidence (assessment_id, seq, id, kind, folder_id, body, hash, at)
			 SELECT assessment_id, 10, '` + fake + `', kind, folder_id, body, hash, at FROM evidence WHERE seq = 9`,
		}, want: fake},
		{name: "reordered", sql: []string{
			`UPDATE evidence SET seq = -6 WHERE seq = 6`,
			`UPDATE evidence SET seq = 6 WHERE seq = 7`,
			`UPDATE evidence SET seq = 7 WHERE seq = -6`,
		}, want: id(7)},
		{name: "blob altered", blob: func(dir evidence.Dir, d string) error {
			return os.WriteFile(filepath.Join(string(dir), d[:2], d), []byte("forged"), 0o600)
		}, want: id(4)},
		{name: "blob missing", blob: func(dir evidence.Dir, d string) error {
			return os.Remove(filepath.Join(string(dir), d[:2], d))
		}, want: id(4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachBackend(t, func(t *testing.T, b *backend) {
				ctx := context.Background()
				l := newLedger(t, b.store)
				dir := evidence.Dir(t.TempDir())
				l.Blobs = dir
				digest, _, err := dir.Put(ctx, strings.NewReader("uploaded file"))
				if err != nil {
					t.Fatal(err)
				}
				its := items(20)
				its[3].Blobs = []string{digest}
				if _, err := l.Append(ctx, batch(a, 0, its[:10])); err != nil {
					t.Fatal(err)
				}
				if _, err := l.Checkpoint(ctx, account, a, ""); err != nil {
					t.Fatal(err)
				}
				if _, err := l.Append(ctx, batch(a, 1, its[10:])); err != nil {
					t.Fatal(err)
				}
				if len(tt.sql) > 0 {
					for _, q := range append(append([]string(nil), b.dropTriggers...), tt.sql...) {
						if _, err := b.raw.ExecContext(ctx, q); err != nil {
							t.Fatalf("%s: %v", q, err)
						}
					}
				}
				if tt.blob != nil {
					if err := tt.blob(dir, digest); err != nil {
						t.Fatal(err)
					}
				}
				rep, err := l.Verify(ctx, "")
				if err != nil {
					t.Fatal(err)
				}
				var got string
				if len(rep.Problems) > 0 {
					got = rep.Problems[0].EvidenceID
				}
				if got != tt.want || len(rep.Problems) > 1 {
					t.Fatalf("verify named %q (%v), want %q", got, rep.Problems, tt.want)
				}
			})
		})
	}
}

// TestVerifyCatchesARewrittenChain rewrites a record and recomputes every hash after it,
// which only the signed checkpoint can expose.
func TestVerifyCatchesARewrittenChain(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		const a = "aaaaaaaa-0000-4000-8000-0000000000ab"
		l := newLedger(t, b.store)
		l.CheckpointEvery = 5
		if _, err := l.Append(ctx, batch(a, 0, items(7))); err != nil {
			t.Fatal(err)
		}
		// A forger's ledger on a copy would write different bodies; here, rewrite the
		// checkpointed hash itself, the one thing a forger cannot re-sign.
		for _, q := range []string{`DROP TRIGGER IF EXISTS evidence_checkpoints_no_update`,
			`UPDATE evidence_checkpoints SET hash = (SELECT hash FROM evidence WHERE seq = 4)`} {
			if b.name == "postgres" && strings.HasPrefix(q, "DROP") {
				q = `DROP TRIGGER evidence_checkpoints_append_only ON evidence_checkpoints`
			}
			if _, err := b.raw.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		rep, err := l.Verify(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].What, "signature") {
			t.Fatalf("verify found %v, want a bad checkpoint signature", rep.Problems)
		}
	})
}
