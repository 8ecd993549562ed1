package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

func testListPages(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	var cs []*probity.Control
	for i := range 7 {
		c := NewControl(fmt.Sprintf("paged %d", i))
		// Two controls share a creation time, so the id must break the tie.
		c.CreatedAt = t0.Add(time.Duration(i/2) * time.Second)
		cs = append(cs, c)
	}
	std := inAccount(NewControl("standard one"), "") // standard content belongs to no account
	std.Type = probity.ControlTypeStandard
	f := NewFramework("paged framework", cs[:3], cs[3:4])
	Put(t, s, append(cs, std), []*probity.Framework{f})

	var got []string
	var after store.Cursor
	for {
		page, err := s.ControlSummaries(ctx, store.Page{Account: Account, Type: string(probity.ControlTypeCustom), After: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			got = append(got, c.Name)
		}
		if len(page) < 3 {
			break
		}
		after = store.Cursor{CreatedAt: page[len(page)-1].CreatedAt, ID: page[len(page)-1].ID}
	}
	if len(got) != 7 {
		t.Fatalf("paging saw %d custom controls %v, want 7 each once", len(got), got)
	}
	seen := map[string]bool{}
	for _, n := range got {
		if seen[n] {
			t.Fatalf("paging returned %q twice: %v", n, got)
		}
		seen[n] = true
	}
	if n, err := s.CountControls(ctx, Account, probity.ControlTypeStandard); err != nil || n != 1 {
		t.Fatalf("CountControls(Standard) = %d, %v; want 1", n, err)
	}

	fs, err := s.FrameworkSummaries(ctx, store.Page{Account: Account, Type: string(probity.FrameworkTypeCustom), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.FrameworkSummary{{ID: f.ID, ARN: f.ARN, Type: f.Type, Name: f.Name, Description: f.Description,
		ComplianceType: f.ComplianceType, ControlSets: 2, Controls: 4, CreatedAt: f.CreatedAt, LastUpdatedAt: f.LastUpdatedAt}}
	if diff := cmp.Diff(want, fs); diff != "" {
		t.Fatalf("FrameworkSummaries (-want +got):\n%s", diff)
	}
	if n, err := s.CountFrameworks(ctx, Account, probity.FrameworkTypeStandard); err != nil || n != 0 {
		t.Fatalf("CountFrameworks(Standard) = %d, %v; want 0", n, err)
	}

	// A write transaction lists too, and sees its own writes.
	err = s.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		if err := tx.PutControls(ctx, []*probity.Control{NewControl("in tx")}); err != nil {
			return err
		}
		n, err := tx.CountControls(ctx, Account, probity.ControlTypeCustom)
		if err == nil && n != 8 {
			err = fmt.Errorf("count in tx = %d, want 8", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testAccessKeys(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	k := &store.AccessKey{ID: "PRBTESTKEY0000000001", Name: "ci-pipeline", Role: "editor", AccountID: "111122223333",
		SealedSecret: []byte{1, 2, 3, 0, 255}, CreatedAt: t0}
	if err := write(s, func(tx store.Tx) error { return tx.CreateAccessKey(ctx, k) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.AccessKey(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(k, got); diff != "" {
		t.Fatalf("access key (-put +got):\n%s", diff)
	}
	dup := *k
	dup.ID = "PRBTESTKEY0000000002"
	wantCode(t, write(s, func(tx store.Tx) error { return tx.CreateAccessKey(ctx, &dup) }), probity.ECONFLICT)
	dup.Name = "another"
	if err := write(s, func(tx store.Tx) error { return tx.CreateAccessKey(ctx, &dup) }); err != nil {
		t.Fatal(err)
	}
	// Names are unique per account: another account may use the same name, and deleting
	// by name touches only the named account's key.
	other := *k
	other.ID, other.AccountID = "PRBTESTKEY0000000003", "444455556666"
	if err := write(s, func(tx store.Tx) error { return tx.CreateAccessKey(ctx, &other) }); err != nil {
		t.Fatalf("same name in another account: %v", err)
	}
	all, err := s.AccessKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].Name != "another" || all[1].Name != "ci-pipeline" || all[2].Name != "ci-pipeline" {
		t.Fatalf("AccessKeys = %+v, want another and ci-pipeline twice in name order", all)
	}
	if err := write(s, func(tx store.Tx) error { return tx.DeleteAccessKey(ctx, k.AccountID, "ci-pipeline") }); err != nil {
		t.Fatal(err)
	}
	_, err = s.AccessKey(ctx, k.ID)
	wantCode(t, err, probity.ENOTFOUND)
	if _, err := s.AccessKey(ctx, other.ID); err != nil {
		t.Fatalf("the other account's key of the same name: %v", err)
	}
	wantCode(t, write(s, func(tx store.Tx) error { return tx.DeleteAccessKey(ctx, k.AccountID, "ci-pipeline") }), probity.ENOTFOUND)
}

func testAccounts(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	_, err := s.Account(ctx, "111122223333")
	wantCode(t, err, probity.ENOTFOUND)
	a := &probity.Account{ID: "111122223333", Status: probity.AccountActive, UpdatedAt: t0, Settings: probity.Settings{
		SNSTopic: "arn:aws:sns:us-east-1:111122223333:grc", KMSKey: "DEFAULT", EvidenceFinderEnabled: true, DeleteResources: "ALL",
		ReportsDestination: &probity.Destination{Type: "S3", Destination: "s3://reports"},
		ProcessOwners:      []probity.RoleRef{{Type: "PROCESS_OWNER", ARN: "arn:aws:iam::111122223333:role/Owner"}},
	}}
	if err := write(s, func(tx store.Tx) error { return tx.PutAccount(ctx, a) }); err != nil {
		t.Fatal(err)
	}
	a.Status = probity.AccountInactive
	if err := write(s, func(tx store.Tx) error { return tx.PutAccount(ctx, a) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.Account(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Fatalf("account (-put +got):\n%s", diff)
	}
}

func testShareRequests(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	mk := func(i int, src, dst string) *probity.ShareRequest {
		return &probity.ShareRequest{ID: probity.NewID(), FrameworkID: probity.NewID(), FrameworkName: fmt.Sprintf("fw %d", i),
			FrameworkDescription: "d", ComplianceType: "CIS", StandardControls: 1, CustomControls: 2,
			SourceAccount: src, DestinationAccount: dst, DestinationRegion: "us-east-1", Comment: "please",
			Status: "ACTIVE", CreatedAt: t0.Add(time.Duration(i) * time.Second), ExpiresAt: t0.Add(120 * 24 * time.Hour),
			UpdatedAt: t0}
	}
	a := mk(0, "111111111111", "222222222222")
	b := mk(1, "111111111111", "333333333333")
	c := mk(2, "333333333333", "111111111111")
	for _, r := range []*probity.ShareRequest{a, b, c} {
		if err := write(s, func(tx store.Tx) error { return tx.CreateShareRequest(ctx, r) }); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ShareRequest(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Fatalf("share request (-put +got):\n%s", diff)
	}
	sent, err := s.ShareRequests(ctx, store.ShareQuery{Account: "111111111111", Side: probity.ShareSent, Limit: 1})
	if err != nil || len(sent) != 1 || sent[0].ID != a.ID {
		t.Fatalf("first sent page = %v, %v; want only %s", sent, err, a.ID)
	}
	sent, err = s.ShareRequests(ctx, store.ShareQuery{Account: "111111111111", Side: probity.ShareSent, Limit: 5,
		After: store.Cursor{CreatedAt: sent[0].CreatedAt, ID: sent[0].ID}})
	if err != nil || len(sent) != 1 || sent[0].ID != b.ID {
		t.Fatalf("second sent page = %v, %v; want only %s", sent, err, b.ID)
	}
	recv, err := s.ShareRequests(ctx, store.ShareQuery{Account: "111111111111", Side: probity.ShareReceived, Limit: 5})
	if err != nil || len(recv) != 1 || recv[0].ID != c.ID {
		t.Fatalf("received = %v, %v; want only %s", recv, err, c.ID)
	}

	if err := write(s, func(tx store.Tx) error {
		return tx.SetShareStatus(ctx, a.ID, probity.ShareActive, probity.ShareShared, t0.Add(time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, write(s, func(tx store.Tx) error {
		return tx.SetShareStatus(ctx, a.ID, probity.ShareActive, probity.ShareDeclined, t0.Add(time.Hour))
	}), probity.ECONFLICT)
	wantCode(t, write(s, func(tx store.Tx) error {
		return tx.SetShareStatus(ctx, probity.NewID(), probity.ShareActive, probity.ShareDeclined, t0)
	}), probity.ENOTFOUND)
	got, _ = s.ShareRequest(ctx, a.ID)
	if got.Status != "SHARED" || !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after accept: status %s updated %v", got.Status, got.UpdatedAt)
	}
	// Each side deletes for itself; the request goes when both have.
	del := func(side probity.ShareSide) error {
		return write(s, func(tx store.Tx) error { return tx.DeleteShareRequest(ctx, a.ID, side) })
	}
	if err := del(probity.ShareReceived); err != nil {
		t.Fatal(err)
	}
	wantCode(t, del(probity.ShareReceived), probity.ENOTFOUND)
	recv, err = s.ShareRequests(ctx, store.ShareQuery{Account: a.DestinationAccount, Side: probity.ShareReceived, Limit: 5})
	if err != nil || len(recv) != 0 {
		t.Fatalf("the recipient still lists the request it deleted: %v, %v", recv, err)
	}
	sent, err = s.ShareRequests(ctx, store.ShareQuery{Account: a.SourceAccount, Side: probity.ShareSent, Limit: 5})
	if err != nil || len(sent) != 2 || sent[0].ID != a.ID {
		t.Fatalf("the sender lost the request the recipient deleted: %v, %v", sent, err)
	}
	if got, err := s.ShareRequest(ctx, a.ID); err != nil || !got.DeletedByDestination || got.DeletedBySource {
		t.Fatalf("ShareRequest after the recipient's delete = %+v, %v", got, err)
	}
	if err := del(probity.ShareSent); err != nil {
		t.Fatal(err)
	}
	_, err = s.ShareRequest(ctx, a.ID)
	wantCode(t, err, probity.ENOTFOUND)
}
