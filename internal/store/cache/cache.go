// Package cache serves library reads from memory while the library is unchanged.
//
// A Store wraps a store.Store. Its point reads and pages of the library outside
// transactions (Control, ControlSummaries, FrameworkSummaries) are kept per account and
// per revision of that account's library (store.RevisionReader): while the revision
// stays the same, a read is answered from memory; when it moves, the account's entries
// are dropped. Everything else (View, Update, the other reads) goes to the wrapped store.
//
// Freshness: a read that begins after an Update through this Store returned sees that
// Update's changes (the next read asks the revision again). A change committed by another
// process sharing the database is seen by every read that begins more than CheckEvery
// after it (plus the time of one revision read: while one reader asks again, the others
// use the revision they have). Tenancy is the wrapped store's: entries are kept per account and are only
// ever answers the store gave that account.
package cache

import (
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// DefaultCheckEvery is how long a Store trusts a revision it read when no Update went
// through it meanwhile: the longest a change made by another process can go unseen.
const DefaultCheckEvery = 100 * time.Millisecond

// Bounds of the memory a Store holds: entries per account, and accounts. Past either,
// the account's (or every account's) entries are dropped and the reads that follow fill
// them again.
const (
	maxEntries  = 4096
	maxAccounts = 4096
)

// Store is a store.Store whose library reads are cached; see the package comment. Its
// methods are safe for concurrent use.
type Store struct {
	store.Store
	checkEvery time.Duration
	now        func() time.Time

	// writes counts the Updates that returned; a revision read before the latest is not
	// trusted.
	writes atomic.Uint64

	mu       sync.RWMutex
	accounts map[string]*account
}

var _ store.Store = (*Store)(nil)

// New returns s with its library reads cached. checkEvery bounds how long a change made
// by another process can go unseen (0 or less means DefaultCheckEvery); now is the
// clock (nil means time.Now).
func New(s store.Store, checkEvery time.Duration, now func() time.Time) *Store {
	if checkEvery <= 0 {
		checkEvery = DefaultCheckEvery
	}
	if now == nil {
		now = time.Now
	}
	return &Store{Store: s, checkEvery: checkEvery, now: now, accounts: map[string]*account{}}
}

// account is what one account's reads keep: the latest revision read, when and after
// which write it was read, and the answers of that revision.
type account struct {
	mu        sync.Mutex
	known     bool
	rev       int64
	checkedAt time.Time
	checked   uint64 // writes when the revision was asked
	// refreshing says a reader is asking the revision again because it grew old.
	refreshing bool
	controls   map[string]*probity.Control
	cpages     map[pageKey][]store.ControlSummary
	fpages     map[pageKey][]store.FrameworkSummary
	entries    int
}

type pageKey struct {
	typ     string
	afterNS int64
	afterID string
	limit   int
}

func keyOf(p store.Page) pageKey {
	k := pageKey{typ: p.Type, afterID: p.After.ID, limit: p.Limit}
	if !p.After.CreatedAt.IsZero() {
		k.afterNS = p.After.CreatedAt.UnixNano()
	}
	return k
}

// Update implements store.Store: once it returns, the next read asks the revision again.
func (s *Store) Update(ctx context.Context, lock store.Lock, fn func(store.Tx) error) error {
	defer s.writes.Add(1)
	return s.Store.Update(ctx, lock, fn)
}

// revision returns the account's entry and a revision of its library that is at least
// as new as every write through s that returned before the call, and read within
// checkEvery or being read again. It returns the store's error when the revision cannot
// be read.
func (s *Store) revision(ctx context.Context, id string) (*account, int64, error) {
	writes := s.writes.Load()
	now := s.now()
	s.mu.RLock()
	a := s.accounts[id]
	s.mu.RUnlock()
	if a == nil {
		s.mu.Lock()
		if a = s.accounts[id]; a == nil {
			if len(s.accounts) >= maxAccounts {
				clear(s.accounts)
			}
			a = &account{}
			s.accounts[id] = a
		}
		s.mu.Unlock()
	}

	a.mu.Lock()
	// Only one reader at a time asks again when the revision is merely old: the others
	// keep using it meanwhile. After a write every reader asks, since each must see it.
	current := a.known && a.checked >= writes
	if current && (now.Sub(a.checkedAt) < s.checkEvery || a.refreshing) {
		rev := a.rev
		a.mu.Unlock()
		return a, rev, nil
	}
	refresher := current
	a.refreshing = a.refreshing || refresher
	a.mu.Unlock()
	rev, err := s.Store.LibraryRevision(ctx, id)
	a.mu.Lock()
	defer a.mu.Unlock()
	if refresher {
		a.refreshing = false
	}
	if err != nil {
		return nil, 0, err
	}
	// Revisions only grow: an answer older than one already stored (a slower read that
	// began earlier) changes nothing.
	if !a.known || rev > a.rev {
		a.known, a.rev = true, rev
		a.reset()
	}
	if rev == a.rev {
		a.checkedAt = maxTime(a.checkedAt, now)
		a.checked = max(a.checked, writes)
	}
	return a, rev, nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (a *account) reset() {
	a.controls, a.cpages, a.fpages, a.entries = nil, nil, nil, 0
}

// room makes room for one more entry; a.mu is held.
func (a *account) room() {
	if a.entries >= maxEntries {
		a.reset()
	}
	a.entries++
}

// cached answers from memory when a has an answer of revision rev or newer (entries are
// only ever as new as a.rev, which is at least rev), else reads, and keeps the answer
// when the revision has not moved meanwhile. get and put run with a.mu held.
func cached[T any](a *account, rev int64, get func() (T, bool), read func() (T, error), put func(T)) (T, error) {
	a.mu.Lock()
	v, ok := get()
	a.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	a.mu.Lock()
	// The answer was read after rev was: it is at least as new as rev, so it may serve
	// the readers of rev, but not those of a newer revision.
	if a.rev == rev {
		a.room()
		put(v)
	}
	a.mu.Unlock()
	return v, nil
}

// Control implements store.Reader. The control returned is the caller's own copy.
func (s *Store) Control(ctx context.Context, accountID, id string) (*probity.Control, error) {
	a, rev, err := s.revision(ctx, accountID)
	if err != nil {
		return nil, err
	}
	c, err := cached(a, rev,
		func() (*probity.Control, bool) { c, ok := a.controls[id]; return c, ok },
		func() (*probity.Control, error) { return s.Store.Control(ctx, accountID, id) },
		func(c *probity.Control) {
			if a.controls == nil {
				a.controls = map[string]*probity.Control{}
			}
			a.controls[id] = c
		})
	if err != nil {
		return nil, err
	}
	return cloneControl(c), nil
}

// cloneControl copies everything of c that a caller could change in place.
func cloneControl(c *probity.Control) *probity.Control {
	out := *c
	out.ControlMappingSources = slices.Clone(c.ControlMappingSources)
	for i, m := range out.ControlMappingSources {
		if m.SourceKeyword != nil {
			k := *m.SourceKeyword
			out.ControlMappingSources[i].SourceKeyword = &k
		}
	}
	out.Tags = maps.Clone(c.Tags)
	return &out
}

// ControlSummaries implements store.Reader. The slice returned is the caller's own.
func (s *Store) ControlSummaries(ctx context.Context, p store.Page) ([]store.ControlSummary, error) {
	a, rev, err := s.revision(ctx, p.Account)
	if err != nil {
		return nil, err
	}
	k := keyOf(p)
	out, err := cached(a, rev,
		func() ([]store.ControlSummary, bool) { v, ok := a.cpages[k]; return v, ok },
		func() ([]store.ControlSummary, error) { return s.Store.ControlSummaries(ctx, p) },
		func(v []store.ControlSummary) {
			if a.cpages == nil {
				a.cpages = map[pageKey][]store.ControlSummary{}
			}
			a.cpages[k] = v
		})
	return slices.Clone(out), err
}

// FrameworkSummaries implements store.Reader. The slice returned is the caller's own.
func (s *Store) FrameworkSummaries(ctx context.Context, p store.Page) ([]store.FrameworkSummary, error) {
	a, rev, err := s.revision(ctx, p.Account)
	if err != nil {
		return nil, err
	}
	k := keyOf(p)
	out, err := cached(a, rev,
		func() ([]store.FrameworkSummary, bool) { v, ok := a.fpages[k]; return v, ok },
		func() ([]store.FrameworkSummary, error) { return s.Store.FrameworkSummaries(ctx, p) },
		func(v []store.FrameworkSummary) {
			if a.fpages == nil {
				a.fpages = map[pageKey][]store.FrameworkSummary{}
			}
			a.fpages[k] = v
		})
	return slices.Clone(out), err
}
