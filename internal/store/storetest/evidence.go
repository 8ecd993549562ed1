package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// testEvidence checks the ledger's storage contract: appends follow the head they name,
// idempotency keys are used once, chains and checkpoints belong to one account, and scans
// return records in sequence order.
func testEvidence(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	const a = "cccccccc-0000-4000-8000-000000000001"
	row := func(seq int64) store.EvidenceRow {
		h := make([]byte, 32)
		h[0] = byte(seq)
		return store.EvidenceRow{Seq: seq, ID: probity.EvidenceID(Account, a, seq), Kind: "evidence", FolderID: "f",
			Body: []byte(`{"time":"2026-11-29T10:00:00Z"}`), Hash: h}
	}
	app := func(account, key string, after int64, seqs ...int64) error {
		ap := &store.EvidenceAppend{AccountID: account, AssessmentID: a, Key: key, After: after, At: t0.Add(time.Duration(after) * time.Hour),
			Folders: []probity.EvidenceFolder{{ID: "f", ControlSetID: "cs", ControlID: "c", DataSource: "d", Date: t0, TotalEvidence: len(seqs)}},
			Days:    []probity.EvidenceDay{{ControlID: "c", Date: t0, Inconclusive: len(seqs)}}}
		for _, q := range seqs {
			ap.Rows = append(ap.Rows, row(q))
		}
		return s.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.AppendEvidence(ctx, ap) })
	}
	if err := app(Account, "k1", 0, 1, 2); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"stale head":      app(Account, "k2", 0, 1),
		"head behind":     app(Account, "k2", 1, 2),
		"key used":        app(Account, "k1", 2, 3),
		"another account": app("999999999999", "k3", 2, 3),
	} {
		if probity.ErrorCode(err) != probity.ECONFLICT {
			t.Errorf("%s: %v, want conflict", name, err)
		}
	}
	if err := app(Account, "k2", 2, 3); err != nil {
		t.Fatal(err)
	}
	c, err := s.EvidenceChain(ctx, Account, a)
	if err != nil || c.Seq != 3 || c.Hash[0] != 3 {
		t.Fatalf("chain = %+v, %v", c, err)
	}
	if _, err := s.EvidenceChain(ctx, "999999999999", a); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Fatalf("another account's chain: %v", err)
	}
	b, err := s.EvidenceBatch(ctx, Account, a, "k1")
	if err != nil || b.First != 1 || b.Last != 2 {
		t.Fatalf("batch k1 = %+v, %v", b, err)
	}
	var seqs []int64
	if err := s.ScanEvidence(ctx, a, 1, func(r *store.EvidenceRow) error { seqs = append(seqs, r.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seqs) != 2 || seqs[0] != 2 || seqs[1] != 3 {
		t.Fatalf("scan after 1 = %v", seqs)
	}
	if n, err := s.EvidenceBefore(ctx, a, t0.Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("EvidenceBefore = %d, %v; want 2", n, err)
	}
	f, err := s.EvidenceFolder(ctx, Account, a, "f")
	if err != nil || f.TotalEvidence != 3 {
		t.Fatalf("folder = %+v, %v", f, err)
	}
	days, err := s.EvidenceDays(ctx, Account, a, "c", t0, t0)
	if err != nil || len(days) != 1 || days[0].Inconclusive != 3 {
		t.Fatalf("days = %+v, %v", days, err)
	}
	cp := &store.EvidenceCheckpoint{AccountID: Account, AssessmentID: a, Seq: 3, Hash: c.Hash, At: t0, Reason: "r", KeyID: "k", Signature: []byte{1}}
	for i, want := range []string{"", probity.ECONFLICT} {
		err := s.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.PutEvidenceCheckpoint(ctx, cp) })
		if probity.ErrorCode(err) != want && !(want == "" && err == nil) {
			t.Fatalf("checkpoint %d: %v, want %q", i, err, want)
		}
	}
	k := &store.LedgerKey{ID: "k", PublicKey: []byte{1, 2}, SealedPrivate: []byte{0, 0xff, 3}, CreatedAt: t0}
	for i, want := range []string{"", probity.ECONFLICT} {
		err := s.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.PutLedgerKey(ctx, k) })
		if probity.ErrorCode(err) != want && !(want == "" && err == nil) {
			t.Fatalf("ledger key %d: %v, want %q", i, err, want)
		}
	}
	ks, err := s.LedgerKeys(ctx)
	if err != nil || len(ks) != 1 || string(ks[0].SealedPrivate) != string(k.SealedPrivate) {
		t.Fatalf("ledger keys = %+v, %v", ks, err)
	}
	// Totals sum each control's folders over the days, by data source in the order first
	// collected.
	next := &store.EvidenceAppend{AccountID: Account, AssessmentID: a, Key: "k4", After: 3, At: t0.Add(24 * time.Hour),
		Rows: []store.EvidenceRow{row(4), row(5)},
		Folders: []probity.EvidenceFolder{
			{ID: "f2", ControlSetID: "cs", ControlID: "c", DataSource: "d", Date: t0.Add(24 * time.Hour), TotalEvidence: 1, AssessmentReportSelectionCount: 1},
			{ID: "g", ControlSetID: "cs", ControlID: "c", DataSource: "Manual", Date: t0.Add(24 * time.Hour), TotalEvidence: 1, EvidenceByTypeManualCount: 1},
		}}
	if err := s.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.AppendEvidence(ctx, next) }); err != nil {
		t.Fatal(err)
	}
	totals, err := s.EvidenceTotals(ctx, Account, a)
	if err != nil || len(totals) != 2 ||
		totals[0].DataSource != "d" || totals[0].TotalEvidence != 4 || totals[0].AssessmentReportSelectionCount != 1 ||
		totals[1].DataSource != "Manual" || totals[1].TotalEvidence != 1 || totals[1].EvidenceByTypeManualCount != 1 ||
		totals[0].ControlSetID != "cs" || totals[0].ControlID != "c" {
		t.Fatalf("totals = %+v, %v; want d: 4 (1 selected), then Manual: 1", totals, err)
	}
	if totals, err := s.EvidenceTotals(ctx, "999999999999", a); err != nil || len(totals) != 0 {
		t.Fatalf("another account's totals = %+v, %v; want none", totals, err)
	}
}
