package library

import (
	"context"
	"fmt"
	"regexp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// Account returns the caller's account: as stored, or active with default settings when
// it never was, since Probity serves every account it has keys for.
func (s *Service) Account(ctx context.Context, p auth.Principal) (*probity.Account, error) {
	return readAccount(ctx, s.Store, p.AccountID)
}

func readAccount(ctx context.Context, r store.AccountReader, id string) (*probity.Account, error) {
	a, err := r.Account(ctx, id)
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return probity.NewAccount(id), nil
	}
	return a, err
}

// editAccount reads the caller's account, lets edit change it, and writes it back, all in
// one transaction serialised with every other account change, so that concurrent
// changes never undo each other.
func (s *Service) editAccount(ctx context.Context, p auth.Principal, edit func(*probity.Account)) (*probity.Account, error) {
	var a *probity.Account
	err := s.Store.Update(ctx, store.LockAccounts, func(tx store.Tx) error {
		var err error
		if a, err = readAccount(ctx, tx, p.AccountID); err != nil {
			return err
		}
		edit(a)
		a.UpdatedAt = s.now()
		return tx.PutAccount(ctx, a)
	})
	if err != nil {
		return nil, err
	}
	s.active.changed(a.ID, a.Active(), s.now())
	return a, nil
}

// SettingsChange is a change to an account's settings: nil members stay as they are.
type SettingsChange struct {
	// SNSTopic is a topic ARN, or NONE to remove it.
	SNSTopic              *string
	KMSKey                *string
	ReportsDestination    *probity.Destination
	ExportDestination     *probity.Destination
	ProcessOwners         []probity.RoleRef
	EvidenceFinderEnabled *bool
	// DeleteResources is the deregistration policy, ALL or DEFAULT.
	DeleteResources *string
}

var (
	snsARN = regexp.MustCompile(`^arn:.*:sns:.*|NONE$`)
	kmsKey = regexp.MustCompile(`^arn:.*:kms:.*|DEFAULT$`)
	s3URL  = regexp.MustCompile(`^(S|s)3:\/\/[a-zA-Z0-9\-\.\(\)\'\*\_\!\=\+\@\:\s\,\?\/]+$`)
	iamARN = regexp.MustCompile(`^arn:.*:iam:.*`)
)

// Validate returns an EINVALID error naming every member that breaks the service's
// rules.
func (c *SettingsChange) Validate() error {
	var ck checker
	if c.SNSTopic != nil {
		ck.text("snsTopic", *c.SNSTopic, 4, 2048, snsARN, "an SNS topic ARN or NONE")
	}
	if c.KMSKey != nil {
		ck.text("kmsKey", *c.KMSKey, 7, 2048, kmsKey, "a KMS key ARN or DEFAULT")
	}
	ck.destination("defaultAssessmentReportsDestination", c.ReportsDestination)
	ck.destination("defaultExportDestination", c.ExportDestination)
	for i, r := range c.ProcessOwners {
		name := fmt.Sprintf("defaultProcessOwners[%d]", i)
		ck.check(r.Type == "PROCESS_OWNER" || r.Type == "RESOURCE_OWNER", name+".roleType", "must be PROCESS_OWNER or RESOURCE_OWNER")
		ck.text(name+".roleArn", r.ARN, 20, 2048, iamARN, "an IAM ARN")
	}
	if d := c.DeleteResources; d != nil {
		ck.check(*d == "ALL" || *d == "DEFAULT", "deregistrationPolicy.deleteResources", "must be ALL or DEFAULT")
	}
	return ck.err()
}

func (c *checker) destination(name string, d *probity.Destination) {
	if d == nil {
		return
	}
	c.check(d.Type == "" || d.Type == "S3", name+".destinationType", "must be S3")
	c.text(name+".destination", d.Destination, 1, 1024, s3URL, "an s3:// URL")
}

// apply makes the change to the settings.
func (c *SettingsChange) apply(s *probity.Settings) {
	if c.SNSTopic != nil {
		s.SNSTopic = *c.SNSTopic
		if s.SNSTopic == "NONE" {
			s.SNSTopic = ""
		}
	}
	if c.KMSKey != nil {
		s.KMSKey = *c.KMSKey
	}
	if c.ReportsDestination != nil {
		s.ReportsDestination = c.ReportsDestination
	}
	if c.ExportDestination != nil {
		s.ExportDestination = c.ExportDestination
	}
	if c.ProcessOwners != nil {
		s.ProcessOwners = c.ProcessOwners
	}
	if c.EvidenceFinderEnabled != nil {
		s.EvidenceFinderEnabled = *c.EvidenceFinderEnabled
	}
	if c.DeleteResources != nil {
		s.DeleteResources = *c.DeleteResources
	}
}

// UpdateSettings validates the change and makes it to the caller's account, returning the
// account after it. It returns Validate's error and changes nothing when the change is
// invalid.
func (s *Service) UpdateSettings(ctx context.Context, p auth.Principal, c SettingsChange) (*probity.Account, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return s.editAccount(ctx, p, func(a *probity.Account) { c.apply(&a.Settings) })
}

// Register makes the caller's account active again, with the KMS key when one is given.
// It returns an EINVALID error for a malformed key or delegated administrator account.
func (s *Service) Register(ctx context.Context, p auth.Principal, kmsKeyARN, delegatedAdmin *string) (*probity.Account, error) {
	var ck checker
	if kmsKeyARN != nil {
		ck.text("kmsKey", *kmsKeyARN, 7, 2048, kmsKey, "a KMS key ARN or DEFAULT")
	}
	if delegatedAdmin != nil {
		ck.check(probity.IsAccountID(*delegatedAdmin), "delegatedAdminAccount", "must be 12 digits")
	}
	if err := ck.err(); err != nil {
		return nil, err
	}
	return s.editAccount(ctx, p, func(a *probity.Account) {
		a.Status = probity.AccountActive
		if kmsKeyARN != nil {
			a.Settings.KMSKey = *kmsKeyARN
		}
	})
}

// Deregister makes the caller's account inactive: from then on it may only ask its
// status and register again. Its library is kept.
func (s *Service) Deregister(ctx context.Context, p auth.Principal) (*probity.Account, error) {
	return s.editAccount(ctx, p, func(a *probity.Account) { a.Status = probity.AccountInactive })
}
