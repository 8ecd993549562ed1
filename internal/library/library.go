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
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Partition returns the partition of the account's ARNs.
func (s *Service) Partition(account string) probity.Partition {
	region := s.Region
	if region == "" {
		region = probity.DefaultPartition.Region
	}
	return probity.Partition{Region: region, AccountID: account}
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
	a, err := s.Account(ctx, p)
	if err != nil {
		return err
	}
	if !a.Active() {
		return probity.Errorf(probity.EUNAUTHORIZED, "The account %s is not registered with Probity; register it first.", p.AccountID)
	}
	return nil
}
