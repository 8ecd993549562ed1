package report_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/evidence/record"
	"github.com/probity-dev/probity/internal/report"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
)

func box(t testing.TB, b byte) *secret.Box {
	k := bytes.Repeat([]byte{b}, 32)
	bx, err := secret.NewBox(k)
	if err != nil {
		t.Fatal(err)
	}
	return bx
}

// TestKeysAndLedgerReport: keys are made, rotated and sealed; a report of evidence read
// from the real ledger in one View verifies against the stored keys after a rotation, and
// each evidence file's ledger hash is the ledger's.
func TestKeysAndLedgerReport(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		now := t0
		keys := &report.Keys{Store: st, Box: box(t, 1), Now: func() time.Time { return now }}
		first, err := keys.Current(ctx) // made on first use
		if err != nil {
			t.Fatal(err)
		}
		if _, err := keys.Create(ctx); probity.ErrorCode(err) != probity.ECONFLICT {
			t.Fatalf("create with a key: %v, want ECONFLICT", err)
		}
		if _, err := (&report.Keys{Store: st, Box: box(t, 2)}).Current(ctx); err == nil {
			t.Fatal("a key opened with another master key")
		}
		if _, err := (&report.Keys{Store: st}).Rotate(ctx); probity.ErrorCode(err) != probity.EINVALID {
			t.Fatalf("rotate without a master key: %v", err)
		}

		const account, aid = "111122223333", "aaaaaaaa-0000-4000-8000-000000000001"
		l := evidence.New(st, box(t, 1))
		var items []probity.Evidence
		for i := range 25 {
			items = append(items, probity.Evidence{ControlSetID: "cs1", ControlID: "c1", ControlName: "MFA enabled",
				DataSource: "AWS Config", Time: t0.Add(time.Duration(i) * time.Hour), ComplianceCheck: probity.ComplianceCompliant,
				EvidenceByType: probity.EvidenceTypeComplianceCheck})
		}
		if _, err := l.Append(ctx, evidence.Batch{Account: account, AssessmentID: aid, Author: "t", Key: evidence.Key{Resource: "r"}, Items: items}); err != nil {
			t.Fatal(err)
		}
		in, _ := input(0)
		in.Evidence = LedgerEvidence(st, account, aid)
		b, sum := writeReport(t, in, first)
		if sum.Evidence != 25 {
			t.Fatalf("%d evidence written", sum.Evidence)
		}
		now = now.Add(time.Hour)
		second, err := keys.Rotate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cur, err := keys.Current(ctx)
		if err != nil || cur.ID != second.ID || cur.ID == first.ID {
			t.Fatalf("current after rotate = %v, %v; want %s", cur, err, second.ID)
		}
		ks, _ := keys.List(ctx)
		if len(ks) != 2 || ks[0].ID != first.ID || ks[1].ID != second.ID {
			t.Fatalf("keys = %+v", ks)
		}
		trust, err := keys.Trust(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res := verify(t, b, trust); !res.Valid || !res.Anchored || res.KeyID != first.ID {
			t.Fatalf("the old key no longer verifies: %+v", res)
		}
		// Exported and parsed back, the public key is the key.
		pub, err := report.ParsePublicKey(report.MarshalPublicKey(ks[0].PublicKey))
		if err != nil || !pub.Equal(first.Public()) {
			t.Fatalf("export round trip: %v", err)
		}
		// Every evidence file's ledger hash is the one the ledger returns for it.
		e, err := st.Evidence(ctx, account, aid, probity.EvidenceID(account, aid, 7))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(`"ledger":{"sequence":7,"hash":"`+e.Hash+`"}`)) {
			t.Fatalf("no evidence file carries sequence 7 with hash %s", e.Hash)
		}
	})
}

// LedgerEvidence reads every evidence record of the assessment's chain in one View, in
// chain order (what a report of all the evidence selects).
func LedgerEvidence(st store.Store, account, aid string) func(context.Context, func(probity.Evidence) error) error {
	return func(ctx context.Context, fn func(probity.Evidence) error) error {
		return st.View(ctx, func(r store.Reader) error {
			return r.ScanEvidence(ctx, aid, 0, func(row *store.EvidenceRow) error {
				if row.Kind != record.KindEvidence {
					return nil
				}
				e := probity.Evidence{ID: row.ID, EvidenceFolderID: row.FolderID, AccountID: account, AssessmentID: aid,
					Sequence: row.Seq, Hash: "sha256:" + hex.EncodeToString(row.Hash)}
				if err := record.Decode(row.Body, &e); err != nil {
					return fmt.Errorf("evidence %d: %w", row.Seq, err)
				}
				return fn(e)
			})
		})
	}
}
