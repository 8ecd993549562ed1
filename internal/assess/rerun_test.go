package assess_test

import (
	"context"
	"sync"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// published records what an assess.Service publishes.
type published struct {
	mu   sync.Mutex
	msgs []notify.Message
}

func (p *published) Publish(_ string, m notify.Message) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, m)
}

func (p *published) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.msgs)
}

// TestDelegationEventsOfTheLastRun runs each operation that publishes delegation events on
// a store whose Update calls its fn twice, another writer doing the same operation between
// the calls (storetest.RunsTwice): the second call finds nothing left to do, and nothing
// is published for what the first call did and the store rolled back.
func TestDelegationEventsOfTheLastRun(t *testing.T) {
	ctx := context.Background()
	const delegate = "arn:aws:iam::111122223333:role/Delegate"
	for _, name := range backendtest.Names {
		t.Run(name, func(t *testing.T) {
			st := backendtest.Open(t, name)
			_, _, in := assessable(t, st, "c")
			if err := st.Update(ctx, store.LockAccounts, func(tx store.Tx) error {
				return tx.PutAccount(ctx, &probity.Account{ID: storetest.Account, Status: probity.AccountActive,
					Settings: probity.Settings{SNSTopic: "arn:aws:sns:us-east-1:111122223333:events"}})
			}); err != nil {
				t.Fatal(err)
			}
			other := &assess.Service{Store: st} // the other writer
			a, err := other.Create(ctx, owner, in)
			if err != nil {
				t.Fatal(err)
			}
			set := a.ControlSets[0].ID
			delegation := []assess.DelegationInput{{ControlSetID: set, RoleARN: delegate, RoleType: probity.RoleResourceOwner}}
			twice := func(between func()) (*assess.Service, *published) {
				pub := &published{}
				return &assess.Service{Store: storetest.RunsTwice{Store: st, Between: between}, Publisher: pub}, pub
			}
			must := func(what string, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}

			s, pub := twice(func() {
				_, _, err := other.CreateDelegations(ctx, owner, a.ID, delegation)
				must("the other writer's CreateDelegations", err)
			})
			made, failed, err := s.CreateDelegations(ctx, owner, a.ID, delegation)
			must("CreateDelegations", err)
			if len(made) != 0 || len(failed) != 1 || pub.count() != 0 {
				t.Fatalf("CreateDelegations after another made it: %d made, %d failed, %d published; want 0, 1, 0", len(made), len(failed), pub.count())
			}

			s, pub = twice(func() {
				_, err := other.UpdateControlSetStatus(ctx, owner, a.ID, set, probity.ControlSetReviewed, "")
				must("the other writer's UpdateControlSetStatus", err)
			})
			_, err = s.UpdateControlSetStatus(ctx, owner, a.ID, set, probity.ControlSetReviewed, "")
			must("UpdateControlSetStatus", err)
			if pub.count() != 0 {
				t.Fatalf("UpdateControlSetStatus after another moved the set: %d published, want 0", pub.count())
			}

			now, err := other.Get(ctx, owner, a.ID)
			must("Get", err)
			id := now.Delegations[0].ID
			s, pub = twice(func() {
				_, err := other.DeleteDelegations(ctx, owner, a.ID, []string{id})
				must("the other writer's DeleteDelegations", err)
			})
			failed, err = s.DeleteDelegations(ctx, owner, a.ID, []string{id})
			must("DeleteDelegations", err)
			if len(failed) != 1 || pub.count() != 0 {
				t.Fatalf("DeleteDelegations after another deleted it: %d failed, %d published; want 1, 0", len(failed), pub.count())
			}
		})
	}
}
