package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// NewAssessment returns a valid assessment of Account snapshotting a framework of one
// control set that holds c, for tests.
func NewAssessment(name string, c *probity.Control) *probity.Assessment {
	fw := NewFramework("framework of "+name, []*probity.Control{c})
	a := &probity.Assessment{
		ID: probity.NewID(), AccountID: Account, Name: name, Description: "assessment " + name, Status: probity.AssessmentActive,
		ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket/" + name},
		Scope: probity.Scope{Accounts: []probity.AWSAccount{{ID: Account, Name: "main", EmailAddress: "a@example.com"}, {ID: other}},
			Services: []string{"s3"}},
		Roles:       []probity.Role{{Type: probity.RoleProcessOwner, ARN: "arn:aws:iam::111122223333:role/Owner"}},
		Framework:   probity.AssessmentFrameworkRef{ID: fw.ID, ARN: fw.ARN, Name: fw.Name, ComplianceType: "CIS"},
		ControlSets: probity.Snapshot(fw, map[string]*probity.Control{c.ID: c}),
		Tags:        map[string]string{"Team": "grc"},
		CreatedAt:   t0, LastUpdatedAt: t0,
	}
	a.ARN = probity.DefaultPartition.In(Account).ARN("assessment", a.ID)
	a.ControlSets[0].Controls[0].Comments = []probity.ControlComment{{AuthorName: "tester", Body: "looks fine", PostedAt: t0}}
	return a
}

func updateAssessments(s store.Store, fn func(tx store.Tx) error) error {
	return s.Update(context.Background(), store.LockAssessments, fn)
}

// testAssessments round-trips an assessment, replaces and deletes it, keeps accounts
// apart, and pages through a status-filtered listing.
func testAssessments(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a := NewAssessment("first", NewControl("c"))
	if err := updateAssessments(s, func(tx store.Tx) error { return tx.CreateAssessment(ctx, a) }); err != nil {
		t.Fatal(err)
	}
	wantCode(t, updateAssessments(s, func(tx store.Tx) error { return tx.CreateAssessment(ctx, a) }), probity.ECONFLICT)
	got, err := s.Assessment(ctx, Account, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("assessment (-put +got):\n%s", diff)
	}
	if _, err := s.Assessment(ctx, other, a.ID); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Fatalf("another account's read = %v, want ENOTFOUND", err)
	}

	a.Name, a.Status, a.LastUpdatedAt = "renamed", probity.AssessmentInactive, t0.Add(time.Hour)
	a.ControlSets[0].Status = probity.ControlSetReviewed
	if err := updateAssessments(s, func(tx store.Tx) error { return tx.PutAssessment(ctx, a) }); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Assessment(ctx, Account, a.ID); err != nil || got.Name != "renamed" || got.ControlSets[0].Status != probity.ControlSetReviewed {
		t.Fatalf("after Put: %+v, %v", got, err)
	}
	theirs := *a
	theirs.AccountID = other
	wantCode(t, updateAssessments(s, func(tx store.Tx) error { return tx.PutAssessment(ctx, &theirs) }), probity.ENOTFOUND)
	wantCode(t, updateAssessments(s, func(tx store.Tx) error { return tx.DeleteAssessment(ctx, other, a.ID) }), probity.ENOTFOUND)

	// Five more, alternately active and inactive, one in another account.
	for i := range 5 {
		b := NewAssessment(fmt.Sprintf("n%d", i), NewControl("c"))
		b.CreatedAt = t0.Add(time.Duration(i%2) * time.Second) // ties on time are ordered by id
		if i%2 == 1 {
			b.Status = probity.AssessmentInactive
		}
		if err := updateAssessments(s, func(tx store.Tx) error { return tx.CreateAssessment(ctx, b) }); err != nil {
			t.Fatal(err)
		}
	}
	elsewhere := NewAssessment("elsewhere", NewControl("c"))
	elsewhere.AccountID = other
	if err := updateAssessments(s, func(tx store.Tx) error { return tx.CreateAssessment(ctx, elsewhere) }); err != nil {
		t.Fatal(err)
	}
	count := func(q store.AssessmentQuery) int {
		t.Helper()
		n := 0
		q.Limit = 2
		for range 10 {
			page, err := s.Assessments(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page {
				if q.Account != "" && p.AccountID != q.Account || q.Status != "" && p.Status != q.Status {
					t.Fatalf("listing %+v returned %s of %s, %s", q, p.ID, p.AccountID, p.Status)
				}
			}
			n += len(page)
			if len(page) < q.Limit {
				return n
			}
			last := page[len(page)-1]
			q.After = store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
		}
		t.Fatal("listing did not end")
		return 0
	}
	if n := count(store.AssessmentQuery{Account: Account}); n != 6 {
		t.Errorf("account lists %d assessments, want 6", n)
	}
	if n := count(store.AssessmentQuery{Account: Account, Status: probity.AssessmentActive}); n != 3 {
		t.Errorf("account lists %d active assessments, want 3", n)
	}
	if n := count(store.AssessmentQuery{Status: probity.AssessmentActive}); n != 4 {
		t.Errorf("all accounts list %d active assessments, want 4", n)
	}

	if err := updateAssessments(s, func(tx store.Tx) error { return tx.DeleteAssessment(ctx, Account, a.ID) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Assessment(ctx, Account, a.ID); probity.ErrorCode(err) != probity.ENOTFOUND {
		t.Fatalf("read after delete = %v, want ENOTFOUND", err)
	}
}

// testChangeLogsAndDelegations appends change logs and delegations, reads them by
// control set, control and identity, and checks that deleting the assessment takes them.
func testChangeLogsAndDelegations(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a := NewAssessment("logged", NewControl("c"))
	set, ctl := a.ControlSets[0].ID, a.ControlSets[0].Controls[0].ID
	delegate := "arn:aws:iam::111122223333:role/Delegate"
	d := probity.Delegation{ID: probity.NewID(), AccountID: Account, AssessmentID: a.ID, ControlSetID: set, RoleARN: delegate,
		RoleType: probity.RoleResourceOwner, Status: probity.DelegationInProgress, Comment: "please", CreatedBy: "owner",
		CreatedAt: t0, LastUpdatedAt: t0}
	logs := []probity.ChangeLog{
		{ID: probity.NewID(), ObjectType: probity.ChangeAssessment, ObjectName: "logged", Action: probity.ActionCreate},
		{ID: probity.NewID(), ControlSetID: set, ObjectType: probity.ChangeControlSet, ObjectName: "Set 1", Action: probity.ActionUnderReview},
		{ID: probity.NewID(), ControlSetID: set, ControlID: ctl, ObjectType: probity.ChangeControl, ObjectName: "c", Action: probity.ActionReviewed},
	}
	for i := range logs {
		logs[i].AccountID, logs[i].AssessmentID, logs[i].CreatedBy = Account, a.ID, "arn:aws:iam::111122223333:role/Owner"
		logs[i].CreatedAt = t0.Add(time.Duration(i) * time.Second)
	}
	err := updateAssessments(s, func(tx store.Tx) error {
		if err := tx.CreateAssessment(ctx, a); err != nil {
			return err
		}
		if err := tx.PutDelegations(ctx, []probity.Delegation{d}); err != nil {
			return err
		}
		return tx.AddChangeLogs(ctx, logs)
	})
	if err != nil {
		t.Fatal(err)
	}
	orphan := logs[0]
	orphan.ID, orphan.AssessmentID = probity.NewID(), probity.NewID()
	if err := updateAssessments(s, func(tx store.Tx) error { return tx.AddChangeLogs(ctx, []probity.ChangeLog{orphan}) }); err == nil {
		t.Error("a change log of no assessment was stored")
	}

	for _, tt := range []struct {
		q    store.ChangeLogQuery
		want int
	}{
		{store.ChangeLogQuery{}, 3},
		{store.ChangeLogQuery{ControlSetID: set}, 2},
		{store.ChangeLogQuery{ControlSetID: set, ControlID: ctl}, 1},
		{store.ChangeLogQuery{ControlID: probity.NewID()}, 0},
	} {
		tt.q.Account, tt.q.AssessmentID, tt.q.Limit = Account, a.ID, 10
		got, err := s.ChangeLogs(ctx, tt.q)
		if err != nil || len(got) != tt.want {
			t.Errorf("ChangeLogs(%+v) = %d entries, %v; want %d", tt.q, len(got), err, tt.want)
		}
	}
	page, err := s.ChangeLogs(ctx, store.ChangeLogQuery{Account: Account, AssessmentID: a.ID, Limit: 2,
		After: store.Cursor{CreatedAt: logs[0].CreatedAt, ID: logs[0].ID}})
	if err != nil || len(page) != 2 || page[0].ID != logs[1].ID {
		t.Fatalf("second page = %+v, %v", page, err)
	}
	if diff := cmp.Diff(logs[1:], page); diff != "" {
		t.Fatalf("change logs (-put +got):\n%s", diff)
	}
	if got, _ := s.ChangeLogs(ctx, store.ChangeLogQuery{Account: other, AssessmentID: a.ID, Limit: 10}); len(got) != 0 {
		t.Errorf("another account reads %d change logs", len(got))
	}

	// Entries of one change share its time, and may be stamped earlier than entries
	// already stored (clocks differ) with ids that sort the other way: the log keeps the
	// order they were added in, page by page, and their times as they were.
	var later []probity.ChangeLog
	for _, id := range []string{"ffffffff-0000-4000-8000-000000000000", "eeeeeeee-0000-4000-8000-000000000000", "dddddddd-0000-4000-8000-000000000000"} {
		later = append(later, probity.ChangeLog{ID: id, AccountID: Account, AssessmentID: a.ID, ObjectType: probity.ChangeAssessment,
			ObjectName: "same time", Action: probity.ActionUpdateMetadata, CreatedAt: t0.Add(-time.Hour), CreatedBy: "arn:aws:iam::111122223333:role/Owner"})
	}
	for _, batch := range [][]probity.ChangeLog{later[:2], later[2:]} {
		if err := updateAssessments(s, func(tx store.Tx) error { return tx.AddChangeLogs(ctx, batch) }); err != nil {
			t.Fatal(err)
		}
	}
	var read []probity.ChangeLog
	var after store.Cursor
	for {
		page, err := s.ChangeLogs(ctx, store.ChangeLogQuery{Account: Account, AssessmentID: a.ID, Limit: 1, After: after})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		read = append(read, page...)
		after = store.Cursor{CreatedAt: page[0].CreatedAt, ID: page[0].ID}
	}
	if diff := cmp.Diff(append(append([]probity.ChangeLog{}, logs...), later...), read); diff != "" {
		t.Errorf("change logs in the order added (-added +read):\n%s", diff)
	}

	got, err := s.Assessment(ctx, Account, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	d.AssessmentName = a.Name
	if diff := cmp.Diff([]probity.Delegation{d}, got.Delegations); diff != "" {
		t.Fatalf("delegations (-put +got):\n%s", diff)
	}
	to, err := s.DelegationsTo(ctx, store.DelegationQuery{Account: Account, RoleARN: delegate, Limit: 10})
	if err != nil || len(to) != 1 || to[0].AssessmentName != a.Name {
		t.Fatalf("DelegationsTo = %+v, %v", to, err)
	}
	if to, _ := s.DelegationsTo(ctx, store.DelegationQuery{Account: other, RoleARN: delegate, Limit: 10}); len(to) != 0 {
		t.Errorf("another account sees %d delegations", len(to))
	}
	d.Status, d.LastUpdatedAt = probity.DelegationUnderReview, t0.Add(time.Minute)
	if err := updateAssessments(s, func(tx store.Tx) error { return tx.PutDelegations(ctx, []probity.Delegation{d}) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Assessment(ctx, Account, a.ID); len(got.Delegations) != 1 || got.Delegations[0].Status != probity.DelegationUnderReview {
		t.Fatalf("delegation after update = %+v", got.Delegations)
	}
	wantCode(t, updateAssessments(s, func(tx store.Tx) error { return tx.DeleteDelegations(ctx, other, a.ID, []string{d.ID}) }), probity.ENOTFOUND)
	if err := updateAssessments(s, func(tx store.Tx) error { return tx.DeleteDelegations(ctx, Account, a.ID, []string{d.ID}) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Assessment(ctx, Account, a.ID); len(got.Delegations) != 0 {
		t.Fatalf("delegations after delete = %+v", got.Delegations)
	}

	if err := updateAssessments(s, func(tx store.Tx) error {
		if err := tx.PutDelegations(ctx, []probity.Delegation{d}); err != nil {
			return err
		}
		return tx.DeleteAssessment(ctx, Account, a.ID)
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ChangeLogs(ctx, store.ChangeLogQuery{Account: Account, AssessmentID: a.ID, Limit: 10}); len(got) != 0 {
		t.Errorf("%d change logs outlive their assessment", len(got))
	}
	if to, _ := s.DelegationsTo(ctx, store.DelegationQuery{Account: Account, RoleARN: delegate, Limit: 10}); len(to) != 0 {
		t.Errorf("%d delegations outlive their assessment", len(to))
	}
}

// testAccessKeyARN checks that a key keeps its identity ARN.
func testAccessKeyARN(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	k := &store.AccessKey{ID: "PRBTESTKEY0000000009", Name: "auditor", Role: "editor", AccountID: Account,
		ARN: "arn:aws:iam::111122223333:role/Auditor", SealedSecret: []byte{1}, CreatedAt: t0}
	if err := write(s, func(tx store.Tx) error { return tx.CreateAccessKey(ctx, k) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.AccessKey(ctx, k.ID)
	if err != nil || got.ARN != k.ARN {
		t.Fatalf("AccessKey = %+v, %v; want ARN %s", got, err, k.ARN)
	}
	all, err := s.AccessKeys(ctx)
	if err != nil || len(all) != 1 || all[0].ARN != k.ARN {
		t.Fatalf("AccessKeys = %+v, %v", all, err)
	}
}
