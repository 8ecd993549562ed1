package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

func testNotifications(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		n := &probity.Notification{ID: probity.NewID(), AccountID: Account, Description: fmt.Sprintf("outcome %d", i),
			EventTime: t0.Add(time.Duration(i%3) * time.Second), Source: "s3://bucket"}
		if err := write(s, func(tx store.Tx) error { return tx.AddNotification(ctx, n) }); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n.ID)
	}
	var got []probity.Notification
	before := ""
	for range 10 {
		page, err := s.Notifications(ctx, Account, before, 2)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if len(page) < 2 {
			break
		}
		before = page[len(page)-1].ID
	}
	if len(got) != 5 {
		t.Fatalf("paged through %d notifications, want 5", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].EventTime.After(got[i-1].EventTime) {
			t.Fatalf("notifications not newest first: %v after %v", got[i].EventTime, got[i-1].EventTime)
		}
	}
	seen := map[string]bool{}
	for _, n := range got {
		seen[n.ID] = true
	}
	for _, id := range ids {
		if !seen[id] {
			t.Fatalf("notification %s missing from the pages", id)
		}
	}
	_, err := s.Notifications(ctx, Account, probity.NewID(), 2)
	wantCode(t, err, probity.EINVALID)
}
