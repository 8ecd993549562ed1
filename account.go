package probity

import "time"

// AccountStatus says whether an account uses Probity. A deregistered (INACTIVE) account
// may only ask its status and register again.
type AccountStatus string

// Account statuses.
const (
	AccountActive   AccountStatus = "ACTIVE"
	AccountInactive AccountStatus = "INACTIVE"
)

// Account is one tenant: its registration status and its settings. Every key acts for one
// account, and each account has its own control and framework library.
type Account struct {
	ID        string
	Status    AccountStatus
	Settings  Settings
	UpdatedAt time.Time
}

// NewAccount returns the state of an account never stored: active, with default
// settings, since Probity serves every account it has keys for.
func NewAccount(id string) *Account { return &Account{ID: id, Status: AccountActive} }

// Active reports whether the account may use the service.
func (a *Account) Active() bool { return a.Status != AccountInactive }

// Settings are an account's Audit Manager settings. Empty members take the defaults that
// the accessors give.
type Settings struct {
	SNSTopic              string
	ReportsDestination    *Destination
	ProcessOwners         []RoleRef
	KMSKey                string
	EvidenceFinderEnabled bool
	// DeleteResources is the deregistration policy: ALL or DEFAULT.
	DeleteResources   string
	ExportDestination *Destination
}

// KMSKeyOrDefault returns the KMS key, DEFAULT when none is set.
func (s *Settings) KMSKeyOrDefault() string { return cmpOr(s.KMSKey, "DEFAULT") }

// DeleteResourcesOrDefault returns the deregistration policy, DEFAULT when none is set.
func (s *Settings) DeleteResourcesOrDefault() string { return cmpOr(s.DeleteResources, "DEFAULT") }

// Destination is where reports or exports are written.
type Destination struct {
	Type        string // S3
	Destination string // s3://...
}

// RoleRef names an IAM role that takes part in an assessment.
type RoleRef struct {
	Type string // PROCESS_OWNER or RESOURCE_OWNER
	ARN  string
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// IsAccountID reports whether s is an account id: 12 digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
