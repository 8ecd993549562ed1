package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// testAssessmentReports checks that reports are recorded once, listed by creation in
// pages, finished once, deleted, and seen by their account only.
func testAssessmentReports(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	upd := func(fn func(tx store.Tx) error) error { return s.Update(ctx, store.LockNone, fn) }
	reps := make([]store.AssessmentReport, 3)
	for i := range reps {
		reps[i] = store.AssessmentReport{ID: "eeeeeeee-0000-4000-8000-00000000000" + string(rune('1'+i)), AccountID: Account,
			AssessmentID: "a1", AssessmentName: "Q3", Name: "q3-report", Description: "for the auditors", Author: "owner",
			Query: "dataSource = 'x'", Destination: "s3://reports/q3", Status: store.ReportInProgress, CreatedAt: t0.Add(time.Duration(i) * time.Second)}
		if err := upd(func(tx store.Tx) error { return tx.PutAssessmentReport(ctx, &reps[i]) }); err != nil {
			t.Fatal(err)
		}
	}
	other := reps[0]
	other.ID, other.AccountID = "eeeeeeee-0000-4000-8000-000000000009", "999999999999"
	if err := upd(func(tx store.Tx) error { return tx.PutAssessmentReport(ctx, &other) }); err != nil {
		t.Fatal(err)
	}
	if err := upd(func(tx store.Tx) error { return tx.PutAssessmentReport(ctx, &reps[0]) }); probity.ErrorCode(err) != probity.ECONFLICT {
		t.Errorf("second put of an id: %v, want ECONFLICT", err)
	}
	got, err := s.AssessmentReport(ctx, Account, reps[1].ID)
	if err != nil || *got != reps[1] {
		t.Errorf("read = %+v, %v; want %+v", got, err, reps[1])
	}
	first, err := s.AssessmentReports(ctx, Account, store.Cursor{}, 2)
	if err != nil || len(first) != 2 || first[0].ID != reps[0].ID || first[1].ID != reps[1].ID {
		t.Fatalf("first page = %+v, %v", first, err)
	}
	rest, err := s.AssessmentReports(ctx, Account, store.Cursor{CreatedAt: first[1].CreatedAt, ID: first[1].ID}, 2)
	if err != nil || len(rest) != 1 || rest[0].ID != reps[2].ID {
		t.Errorf("second page = %+v, %v", rest, err)
	}

	done := reps[1]
	done.Status, done.Path, done.KeyID, done.Digest = store.ReportComplete, "r/q3-report.zip", "ed25519:ab", "cd"
	if err := upd(func(tx store.Tx) error { return tx.FinishAssessmentReport(ctx, &done) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.AssessmentReport(ctx, Account, done.ID); got == nil || *got != done {
		t.Errorf("finished = %+v, want %+v", got, done)
	}
	again := done
	again.Status, again.Reason = store.ReportFailed, "late"
	if err := upd(func(tx store.Tx) error { return tx.FinishAssessmentReport(ctx, &again) }); probity.ErrorCode(err) != probity.ECONFLICT {
		t.Errorf("finishing twice: %v, want ECONFLICT", err)
	}
	foreign := reps[0]
	foreign.AccountID, foreign.Status = "999999999999", store.ReportFailed
	if err := upd(func(tx store.Tx) error { return tx.FinishAssessmentReport(ctx, &foreign) }); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Errorf("finishing another account's: %v, want ENOTFOUND", err)
	}

	if err := upd(func(tx store.Tx) error { return tx.DeleteAssessmentReport(ctx, "999999999999", reps[0].ID) }); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Errorf("deleting another account's: %v, want ENOTFOUND", err)
	}
	if err := upd(func(tx store.Tx) error { return tx.DeleteAssessmentReport(ctx, Account, reps[0].ID) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AssessmentReport(ctx, Account, reps[0].ID); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Errorf("deleted report: %v, want ENOTFOUND", err)
	}
	if _, err := s.AssessmentReport(ctx, Account, other.ID); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Errorf("another account's report: %v, want ENOTFOUND", err)
	}
	if all, _ := s.AssessmentReports(ctx, Account, store.Cursor{}, 10); len(all) != 2 {
		t.Errorf("after delete: %d reports, want 2", len(all))
	}
}
