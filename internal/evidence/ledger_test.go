package evidence_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

const account = "111122223333"

var t0 = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// backend is a fresh store on one database, with a raw handle for tampering.
type backend struct {
	name  string
	path  string // the SQLite file
	dsn   string // the PostgreSQL database
	store store.Store
	raw   *sql.DB
	// dropTriggers removes the append-only triggers, as a tamperer with the database's
	// owner rights would.
	dropTriggers []string
}

// eachBackend runs fn on a fresh SQLite file and a fresh PostgreSQL database.
func eachBackend(t *testing.T, fn func(t *testing.T, b *backend)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "probity.db")
		st, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(30000)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		fn(t, &backend{name: "sqlite", path: path, store: st, raw: raw, dropTriggers: []string{
			`DROP TRIGGER evidence_no_update`, `DROP TRIGGER evidence_no_delete`}})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.DSN(t)
		st, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		raw, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		fn(t, &backend{name: "postgres", dsn: dsn, store: st, raw: raw, dropTriggers: []string{
			`DROP TRIGGER evidence_append_only ON evidence`}})
	})
}

func newLedger(t *testing.T, st store.Store) *evidence.Ledger {
	box, err := secret.NewBox(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	l := evidence.New(st, box)
	l.Now = func() time.Time { return t0 }
	return l
}

// items returns n evidence of two controls over two days and two data sources.
func items(n int) []probity.Evidence {
	out := make([]probity.Evidence, n)
	for i := range out {
		e := probity.Evidence{
			ControlSetID: "cs-1", ControlID: fmt.Sprintf("control-%d", i%2), ControlName: "Control",
			DataSource: []string{"Config rule", "CloudTrail"}[i/2%2], Time: t0.Add(time.Duration(i%3) * 12 * time.Hour),
			EvidenceAWSAccountID: account, AWSAccountID: account, IAMID: "arn:aws:iam::111122223333:role/collector",
		}
		switch i % 4 {
		case 0:
			e.EvidenceByType, e.ComplianceCheck, e.EventSource = probity.EvidenceTypeComplianceCheck, probity.ComplianceCompliant, "config.amazonaws.com"
			e.ResourcesIncluded = []probity.EvidenceResource{{ARN: fmt.Sprintf("arn:aws:s3:::bucket-%d", i), ComplianceCheck: "COMPLIANT"}}
		case 1:
			e.EvidenceByType, e.ComplianceCheck, e.EventSource = probity.EvidenceTypeComplianceCheck, probity.ComplianceNonCompliant, "securityhub.amazonaws.com"
		case 2:
			e.EvidenceByType, e.EventSource, e.EventName = probity.EvidenceTypeUserActivity, "iam.amazonaws.com", "CreateUser"
		case 3:
			e.EvidenceByType, e.Attributes = probity.EvidenceTypeManual, map[string]string{"textResponse": fmt.Sprint("answer ", i)}
		}
		out[i] = e
	}
	return out
}

func batch(assessment string, window int, its []probity.Evidence) evidence.Batch {
	return evidence.Batch{Account: account, AssessmentID: assessment, Author: "collector",
		Key:   evidence.Key{ControlSetID: "cs-1", ControlID: "all", SourceID: "src", WindowStart: t0.Add(time.Duration(window) * time.Hour)},
		Items: its}
}

func mustVerify(t *testing.T, l *evidence.Ledger, assessment string) *evidence.Report {
	t.Helper()
	rep, err := l.Verify(context.Background(), assessment)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Fatalf("verify found %v", rep.Problems)
	}
	return rep
}

func TestAppendCountsAndReads(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		l := newLedger(t, b.store)
		const a = "aaaaaaaa-0000-4000-8000-000000000001"
		r1, err := l.Append(ctx, batch(a, 0, items(10)))
		if err != nil {
			t.Fatal(err)
		}
		r2, err := l.Append(ctx, batch(a, 1, items(6)))
		if err != nil {
			t.Fatal(err)
		}
		if r1.First != 1 || r1.Last != 10 || r2.First != 11 || r2.Last != 16 || len(r2.IDs) != 6 {
			t.Fatalf("results %+v %+v", r1, r2)
		}
		// Every evidence reads back whole, by id and through its folder.
		want := append(items(10), items(6)...)
		total := 0
		var folders []probity.EvidenceFolder
		for after := (store.FolderCursor{}); ; {
			page, err := b.store.EvidenceFolders(ctx, store.FolderPage{AccountID: account, AssessmentID: a, After: after, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			folders = append(folders, page...)
			after = store.FolderCursor{Date: page[len(page)-1].Date, ID: page[len(page)-1].ID}
		}
		for _, f := range folders {
			got, err := b.store.EvidenceByFolder(ctx, store.EvidencePage{AccountID: account, AssessmentID: a, FolderID: f.ID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var count probity.EvidenceFolder
			for _, e := range got {
				w := want[e.Sequence-1]
				if e.ID != probity.EvidenceID(account, a, e.Sequence) || e.EvidenceFolderID != f.ID || e.ControlID != w.ControlID ||
					e.ComplianceCheck != w.ComplianceCheck || !e.Time.Equal(w.Time) || e.AssessmentReportSelection != "No" ||
					fmt.Sprint(e.Attributes) != fmt.Sprint(w.Attributes) || len(e.ResourcesIncluded) != len(w.ResourcesIncluded) {
					t.Fatalf("evidence %d = %+v, want %+v", e.Sequence, e, w)
				}
				byID, err := b.store.Evidence(ctx, account, a, e.ID)
				if err != nil || byID.Sequence != e.Sequence || byID.Hash != e.Hash {
					t.Fatalf("Evidence(%s) = %+v, %v", e.ID, byID, err)
				}
				count.Count(&e)
			}
			if f.TotalEvidence != len(got) || f.TotalEvidence != count.TotalEvidence ||
				f.EvidenceByTypeComplianceCheckCount != count.EvidenceByTypeComplianceCheckCount ||
				f.EvidenceByTypeComplianceCheckIssuesCount != count.EvidenceByTypeComplianceCheckIssuesCount ||
				f.EvidenceByTypeManualCount != count.EvidenceByTypeManualCount ||
				f.EvidenceByTypeUserActivityCount != count.EvidenceByTypeUserActivityCount ||
				f.EvidenceResourcesIncludedCount != count.EvidenceResourcesIncludedCount ||
				f.EvidenceAWSServiceSourceCount != count.EvidenceAWSServiceSourceCount || f.Author != "collector" {
				t.Fatalf("folder %+v, counted %+v", f, count)
			}
			one, err := b.store.EvidenceFolder(ctx, account, a, f.ID)
			if err != nil || *one != f {
				t.Fatalf("EvidenceFolder = %+v, %v; want %+v", one, err, f)
			}
			total += len(got)
		}
		if total != 16 {
			t.Fatalf("folders hold %d evidence, want 16", total)
		}
		// Daily aggregates.
		days, err := b.store.EvidenceDays(ctx, account, a, "", t0, t0.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var c, nc, inc int
		for _, d := range days {
			c, nc, inc = c+d.Compliant, nc+d.NonCompliant, inc+d.Inconclusive
		}
		if c != 3+2 || nc != 3+2 || inc != 4+2 {
			t.Fatalf("days %+v: compliant %d non-compliant %d inconclusive %d", days, c, nc, inc)
		}
		// Report selection changes the evidence and its folder, never the record.
		e1 := r1.IDs[0]
		if err := b.store.Update(ctx, store.LockNone, func(tx store.Tx) error {
			return tx.SetEvidenceSelection(ctx, account, a, []string{e1, e1}, true)
		}); err != nil {
			t.Fatal(err)
		}
		got, _ := b.store.Evidence(ctx, account, a, e1)
		f, _ := b.store.EvidenceFolder(ctx, account, a, got.EvidenceFolderID)
		if got.AssessmentReportSelection != "Yes" || f.AssessmentReportSelectionCount != 1 {
			t.Fatalf("after selection: %s, folder count %d", got.AssessmentReportSelection, f.AssessmentReportSelectionCount)
		}
		// Another account sees nothing; unknown ids are not found.
		for _, err := range []error{
			func() error { _, err := b.store.Evidence(ctx, "999999999999", a, e1); return err }(),
			func() error { _, err := b.store.Evidence(ctx, account, a, "not-an-id"); return err }(),
			func() error {
				_, err := b.store.Evidence(ctx, account, a, probity.EvidenceID(account, a, 99))
				return err
			}(),
			func() error { _, err := b.store.EvidenceFolder(ctx, "999999999999", a, f.ID); return err }(),
		} {
			if probity.ErrorCode(err) != probity.ENOTFOUND {
				t.Errorf("read of another's or a missing evidence: %v, want not found", err)
			}
		}
		rep := mustVerify(t, l, a)
		if rep.Records != 16 {
			t.Fatalf("verified %d records, want 16", rep.Records)
		}
	})
}

func TestRetriedBatchAppendsNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		const a = "aaaaaaaa-0000-4000-8000-000000000002"
		first, err := newLedger(t, b.store).Append(ctx, batch(a, 0, items(5)))
		if err != nil {
			t.Fatal(err)
		}
		// A second process (a fresh ledger) retries the same batch.
		again, err := newLedger(t, b.store).Append(ctx, batch(a, 0, items(5)))
		if err != nil {
			t.Fatal(err)
		}
		if !again.Duplicate || again.First != first.First || again.Last != first.Last || again.Hash != first.Hash {
			t.Fatalf("retry = %+v, first = %+v", again, first)
		}
		c, err := b.store.EvidenceChain(ctx, account, a)
		if err != nil || c.Seq != 5 {
			t.Fatalf("chain %+v, %v; want 5 records", c, err)
		}
	})
}

func TestInvalidEvidenceIsRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		its := items(3)
		its[2].ControlID = ""
		its[1].DataSource = "\xff"
		_, err := newLedger(t, b.store).Append(ctx, batch("aaaaaaaa-0000-4000-8000-000000000003", 0, its))
		if probity.ErrorCode(err) != probity.EINVALID || !strings.Contains(err.Error(), "items[") {
			t.Fatalf("Append = %v, want invalid naming the item", err)
		}
	})
}

func TestTriggersRefuseUpdateAndDelete(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		l := newLedger(t, b.store)
		const a = "aaaaaaaa-0000-4000-8000-000000000004"
		if _, err := l.Append(ctx, batch(a, 0, items(3))); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Checkpoint(ctx, account, a, ""); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`UPDATE evidence SET body = '{}' WHERE seq = 2`,
			`UPDATE evidence SET seq = 9 WHERE seq = 3`,
			`DELETE FROM evidence WHERE seq = 3`,
			`DELETE FROM evidence`,
			`UPDATE evidence_checkpoints SET seq = 1`,
			`DELETE FROM evidence_checkpoints`,
		} {
			if _, err := b.raw.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused as append-only", q, err)
			}
		}
		if b.name == "postgres" {
			if _, err := b.raw.ExecContext(ctx, `TRUNCATE evidence`); err == nil {
				t.Error("TRUNCATE evidence was allowed")
			}
		}
		mustVerify(t, l, a)
	})
}

func TestPurgeIsRecordedAndVerifies(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		l := newLedger(t, b.store)
		const a = "aaaaaaaa-0000-4000-8000-000000000005"
		now := t0
		l.Now = func() time.Time { return now }
		l.CheckpointEvery = 4
		if _, err := l.Append(ctx, batch(a, 0, items(6))); err != nil {
			t.Fatal(err)
		}
		now = t0.Add(400 * 24 * time.Hour)
		if _, err := l.Append(ctx, batch(a, 1, items(5))); err != nil {
			t.Fatal(err)
		}
		now = t0.Add(2*365*24*time.Hour + time.Hour) // the first batch is due, the second is not
		n, err := l.Purge(ctx, account, a)
		if err != nil || n != 6 {
			t.Fatalf("Purge = %d, %v; want 6", n, err)
		}
		if n, err := l.Purge(ctx, account, a); err != nil || n != 0 {
			t.Fatalf("second Purge = %d, %v; want nothing", n, err)
		}
		rep := mustVerify(t, l, a)
		if rep.Records != 6 { // 5 kept and the purge record
			t.Fatalf("verified %d records, want 6", rep.Records)
		}
		if _, err := b.store.Evidence(ctx, account, a, probity.EvidenceID(account, a, 1)); probity.ErrorCode(err) != probity.ENOTFOUND {
			t.Fatalf("purged evidence reads as %v", err)
		}
		// Appending goes on after the purge record.
		r, err := l.Append(ctx, batch(a, 2, items(2)))
		if err != nil || r.First != 13 {
			t.Fatalf("append after purge = %+v, %v", r, err)
		}
		mustVerify(t, l, a)
		// Deleting more than the purge did is still tampering.
		for _, q := range b.dropTriggers {
			if _, err := b.raw.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := b.raw.ExecContext(ctx, `DELETE FROM evidence WHERE seq = 7`); err != nil {
			t.Fatal(err)
		}
		rep, err = l.Verify(ctx, a)
		if err != nil || len(rep.Problems) != 1 || rep.Problems[0].EvidenceID != probity.EvidenceID(account, a, 7) {
			t.Fatalf("verify after deleting a kept record: %+v, %v", rep, err)
		}
	})
}

// TestUpkeep purges what retention lets go and signs the heads that have no checkpoint, in
// every chain, and does nothing more when run again.
func TestUpkeep(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		l := newLedger(t, b.store)
		const old, fresh = "aaaaaaaa-0000-4000-8000-000000000007", "aaaaaaaa-0000-4000-8000-000000000008"
		now := t0
		l.Now = func() time.Time { return now }
		l.CheckpointEvery = 1000 // no periodic checkpoint gets in the way
		if _, err := l.Append(ctx, batch(old, 0, items(3))); err != nil {
			t.Fatal(err)
		}
		now = t0.Add(2*365*24*time.Hour + time.Hour)
		if _, err := l.Append(ctx, batch(fresh, 0, items(2))); err != nil {
			t.Fatal(err)
		}
		u, err := l.Upkeep(ctx)
		if err != nil || u != (evidence.Upkept{Chains: 2, Purged: 3, Checkpoints: 2}) {
			t.Fatalf("Upkeep = %+v, %v; want 2 chains, 3 purged, 2 checkpoints", u, err)
		}
		for _, a := range []string{old, fresh} {
			rep := mustVerify(t, l, a)
			if rep.Checkpoints == 0 {
				t.Errorf("%s: no checkpoint after upkeep", a)
			}
		}
		if u, err := l.Upkeep(ctx); err != nil || u != (evidence.Upkept{Chains: 2}) {
			t.Fatalf("second Upkeep = %+v, %v; want nothing done", u, err)
		}
	})
}
