// Package library is the application layer over the control and framework libraries,
// framework shares and accounts. It holds every rule about who may read or change what:
// tenancy (each account its own library; standard content shared by all), ownership
// (what the API manages and what a catalog source does), quotas, the share lifecycle and
// account settings. The Audit Manager API, the catalog commands and the pipeline call it;
// none of them decides these things itself.
//
// Every method acts for a caller, an auth.Principal, and sees only the caller's account.
// Another account's entries answer ENOTFOUND, as if they did not exist.
package library

import (
	"context"
	"sync"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// Service is the application layer. Store is required; its other fields have defaults.
// Its fields must not change once it is in use; its methods are safe for concurrent use.
type Service struct {
	Store store.Store
	// Region is the region of the ARNs it makes; each ARN names the entry's account.
	// Empty means probity.DefaultPartition's.
	Region string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxCustomControls and MaxCustomFrameworks bound each account's custom library; 0
	// means no limit.
	MaxCustomControls, MaxCustomFrameworks int

	active activeCache
}

// statusTTL is how long CheckActive trusts an account status it read. A change made
// through this Service takes effect at once; one made by another process sharing the
// store, within statusTTL.
const statusTTL = time.Second

// activeCache remembers whether accounts are active, so that the check every request
// makes costs no read of the store. Each account's entry has a generation, moved on by
// every change made here, so that a read that began before a change cannot store its
// older answer after it.
type activeCache struct {
	mu sync.Mutex
	m  map[string]activeEntry
}

type activeEntry struct {
	active, known bool
	until         time.Time
	gen           uint64
}

// get returns the remembered status, whether it is still fresh, and the generation to
// hand to remember.
func (c *activeCache) get(account string, now time.Time) (active, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[account]
	return e.active, e.known && !now.After(e.until), e.gen
}

// remember stores a status read from the store, unless the account changed since get
// returned gen.
func (c *activeCache) remember(account string, active bool, now time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[account]; e.gen == gen {
		c.setLocked(account, active, now, gen)
	}
}

// changed stores the status of a change made here, in a new generation.
func (c *activeCache) changed(account string, active bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(account, active, now, c.m[account].gen+1)
}

func (c *activeCache) setLocked(account string, active bool, now time.Time, gen uint64) {
	if c.m == nil {
		c.m = map[string]activeEntry{}
	}
	c.m[account] = activeEntry{active: active, known: true, until: now.Add(statusTTL), gen: gen}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// ServedRegion returns the region this Service serves: Region, or the default one.
func (s *Service) ServedRegion() string {
	if s.Region == "" {
		return probity.DefaultPartition.Region
	}
	return s.Region
}

// Partition returns the partition of the account's ARNs.
func (s *Service) Partition(account string) probity.Partition {
	return probity.Partition{Region: s.ServedRegion(), AccountID: account}
}

// asNotFound replaces the store's ENOTFOUND with one that names the resource.
func asNotFound(err error, kind, id string) error {
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return probity.NotFound(kind, id)
	}
	return err
}

// CheckActive returns an EUNAUTHORIZED error when the caller's account is deregistered:
// such an account may only ask its status and register again.
func (s *Service) CheckActive(ctx context.Context, p auth.Principal) error {
	now := s.now()
	active, ok, gen := s.active.get(p.AccountID, now)
	if !ok {
		a, err := s.Account(ctx, p)
		if err != nil {
			return err
		}
		active = a.Active()
		s.active.remember(p.AccountID, active, now, gen)
	}
	if !active {
		return probity.Errorf(probity.EUNAUTHORIZED, "The account %s is not registered with Probity; register it first.", p.AccountID)
	}
	return nil
}
