package library_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
)

var (
	alice = auth.Principal{KeyID: "A", Name: "alice", AccountID: "111111111111", Level: auth.Admin}
	bob   = auth.Principal{KeyID: "B", Name: "bob", AccountID: "222222222222", Level: auth.Admin}
)

func manual(name string) library.ControlInput {
	return library.ControlInput{Name: name, ControlMappingSources: []probity.ControlMappingSource{probity.ManualAttestation()}}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := probity.ErrorCode(err); got != code {
		t.Fatalf("%s: %v (code %q), want code %q", what, err, got, code)
	}
}

// TestQuotasArePerAccount: each account's library has its own limit, and accepting a share
// that would pass it copies nothing and leaves the request open.
func TestQuotasArePerAccount(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		s := &library.Service{Store: st, MaxCustomControls: 1}
		c, err := s.CreateControl(ctx, alice, manual("one"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.CreateControl(ctx, alice, manual("two"))
		wantCode(t, "second control of a full library", err, probity.EQUOTA)
		if _, err := s.CreateControl(ctx, bob, manual("one")); err != nil {
			t.Fatalf("another account's library is not full: %v", err)
		}
		v, err := s.CreateFramework(ctx, alice, library.FrameworkInput{Name: "F",
			ControlSets: []probity.ControlSet{{Name: "set", Controls: []string{c.ID}}}})
		if err != nil {
			t.Fatal(err)
		}
		req, err := s.StartShare(ctx, alice, library.ShareInput{FrameworkID: v.Framework.ID,
			DestinationAccount: bob.AccountID, DestinationRegion: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.AnswerShare(ctx, bob, req.ID, probity.ShareReceived, probity.ShareAccept)
		wantCode(t, "accepting into a full library", err, probity.EQUOTA)
		lib, err := st.Library(ctx, bob.AccountID)
		if err != nil || len(lib.Controls) != 1 || len(lib.Frameworks) != 0 {
			t.Fatalf("bob's library after the refused accept: %d controls, %d frameworks, %v", len(lib.Controls), len(lib.Frameworks), err)
		}
		got, err := st.ShareRequest(ctx, req.ID)
		if err != nil || got.Status != probity.ShareActive {
			t.Fatalf("request after the refused accept: %+v, %v; want still ACTIVE", got, err)
		}
	})
}

// TestAnswersFollowTheLifecycle: only the recipient accepts or declines, only the sender
// revokes, only an open request is answered, and a request is invisible from the side
// the caller is not on.
func TestAnswersFollowTheLifecycle(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		s := &library.Service{Store: st, Now: func() time.Time { return now }}
		c, err := s.CreateControl(ctx, alice, manual("c"))
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.CreateFramework(ctx, alice, library.FrameworkInput{Name: "F", ControlSets: []probity.ControlSet{{Name: "set", Controls: []string{c.ID}}}})
		if err != nil {
			t.Fatal(err)
		}
		start := func(dest string) *probity.ShareRequest {
			r, err := s.StartShare(ctx, alice, library.ShareInput{FrameworkID: v.Framework.ID, DestinationAccount: dest, DestinationRegion: "us-east-1"})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r := start(bob.AccountID)
		_, err = s.AnswerShare(ctx, alice, r.ID, probity.ShareSent, probity.ShareAccept)
		wantCode(t, "the sender accepts", err, probity.EINVALID)
		_, err = s.AnswerShare(ctx, bob, r.ID, probity.ShareSent, probity.ShareRevoke)
		wantCode(t, "the recipient revokes as if it sent it", err, probity.ENOTFOUND)
		if _, err := s.AnswerShare(ctx, bob, r.ID, probity.ShareReceived, probity.ShareDecline); err != nil {
			t.Fatal(err)
		}
		_, err = s.AnswerShare(ctx, bob, r.ID, probity.ShareReceived, probity.ShareAccept)
		wantCode(t, "accepting a declined request", err, probity.EINVALID)

		// A declined request is closed: the framework may be offered again, and the new
		// offer expires after its lifetime.
		r = start(bob.AccountID)
		now = now.Add(probity.ShareLifetime)
		_, err = s.AnswerShare(ctx, bob, r.ID, probity.ShareReceived, probity.ShareAccept)
		wantCode(t, "accepting an expired request", err, probity.EINVALID)
		start(bob.AccountID) // the expired one no longer blocks a new offer
	})
}

// TestStatusSeenByAnotherProcess: a deregistration made through one Service reaches
// another on the same store within the status cache's life, and at once in the first.
func TestStatusSeenByAnotherProcess(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		var mu sync.Mutex
		now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		one, two := &library.Service{Store: st, Now: clock}, &library.Service{Store: st, Now: clock}
		if err := two.CheckActive(ctx, bob); err != nil {
			t.Fatal(err)
		}
		if _, err := one.Deregister(ctx, bob); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "the deregistering service", one.CheckActive(ctx, bob), probity.EUNAUTHORIZED)
		mu.Lock()
		now = now.Add(2 * time.Second)
		mu.Unlock()
		wantCode(t, "another service after the cache's life", two.CheckActive(ctx, bob), probity.EUNAUTHORIZED)
		if err := two.CheckActive(ctx, alice); err != nil {
			t.Fatalf("another account: %v", err)
		}
	})
}

// TestSharedCopiesAreValid: a copy whose name must take a suffix stays within the longest
// name allowed, and the copies carry none of the sender's tags.
func TestSharedCopiesAreValid(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		s := &library.Service{Store: st}
		long := strings.Repeat("n", 300)
		in := manual(long)
		in.Tags = map[string]string{"owner": "alice@corp.internal"}
		c, err := s.CreateControl(ctx, alice, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateControl(ctx, bob, manual(long)); err != nil {
			t.Fatal(err)
		}
		v, err := s.CreateFramework(ctx, alice, library.FrameworkInput{Name: "F", ControlSets: []probity.ControlSet{{Name: "set", Controls: []string{c.ID}}}})
		if err != nil {
			t.Fatal(err)
		}
		req, err := s.StartShare(ctx, alice, library.ShareInput{FrameworkID: v.Framework.ID, DestinationAccount: bob.AccountID, DestinationRegion: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AnswerShare(ctx, bob, req.ID, probity.ShareReceived, probity.ShareAccept); err != nil {
			t.Fatal(err)
		}
		lib, err := st.Library(ctx, bob.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range lib.Controls {
			if err := c.Validate(); err != nil {
				t.Errorf("bob's control %.40q... does not validate: %v", c.Name, err)
			}
			if len(c.Tags) != 0 {
				t.Errorf("bob's control %.40q... carries tags %v", c.Name, c.Tags)
			}
		}
		if len(lib.Controls) != 2 {
			t.Fatalf("bob holds %d controls, want his own and the copy", len(lib.Controls))
		}
	})
}
