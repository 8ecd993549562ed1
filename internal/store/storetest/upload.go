package storetest

import (
	"context"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// testEvidenceUploads checks that an upload is recorded once and read by its account only.
func testEvidenceUploads(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	u := &store.EvidenceUpload{ID: "dddddddd-0000-4000-8000-000000000001", AccountID: Account, FileName: "policy.pdf",
		Digest: "ab", Size: 3, At: t0}
	put := func(u *store.EvidenceUpload) error {
		return s.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.PutEvidenceUpload(ctx, u) })
	}
	if err := put(u); err != nil {
		t.Fatal(err)
	}
	again := *u
	again.AccountID, again.Digest = "999999999999", "cd"
	if err := put(&again); probity.ErrorCode(err) != probity.ECONFLICT {
		t.Errorf("second upload with the id: error = %v, want ECONFLICT", err)
	}
	got, err := s.EvidenceUpload(ctx, Account, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *u {
		t.Errorf("upload = %+v, want %+v", *got, *u)
	}
	for name, c := range map[string][2]string{
		"another account": {"999999999999", u.ID},
		"unknown id":      {Account, "dddddddd-0000-4000-8000-000000000002"},
	} {
		if _, err := s.EvidenceUpload(ctx, c[0], c[1]); probity.ErrorCode(err) != probity.ENOTFOUND {
			t.Errorf("%s: error = %v, want ENOTFOUND", name, err)
		}
	}
}
