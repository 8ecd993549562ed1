package ci

import (
	"fmt"
	"time"

	json "github.com/go-json-experiment/json/v1"
)

// Account holds the account-level facts of one snapshot. Each JSON key is named after
// the AWS API response it stands for (see docs/rules.md); a nil field means the fact was
// not collected, except where noted that null is itself a fact.
type Account struct {
	AccountID string `json:"accountId"`
	Region    string `json:"region"`

	// AccountSummary is GetAccountSummary's SummaryMap.
	AccountSummary map[string]int `json:"iam.AccountSummary"`
	// CredentialReport is the credential report, one object of strings per row; the first
	// row is the root user's ("<root_account>").
	CredentialReport []map[string]string `json:"iam.CredentialReport"`
	// AccessKeysByUser is ListAccessKeys' AccessKeyMetadata per user name.
	AccessKeysByUser map[string][]AccessKey `json:"iam.AccessKeysByUser"`
	// MFADevicesByUser is ListMFADevices' MFADevices per user name.
	MFADevicesByUser map[string][]MFADevice `json:"iam.MFADevicesByUser"`
	// VirtualMFADevices is ListVirtualMFADevices' VirtualMFADevices.
	VirtualMFADevices []VirtualMFADevice `json:"iam.VirtualMFADevices"`
	// PasswordPolicy is GetAccountPasswordPolicy's PasswordPolicy; present and null means
	// the account has none (see HasPasswordPolicyFact).
	PasswordPolicy *PasswordPolicy `json:"iam.PasswordPolicy"`

	EbsEncryptionByDefault *Bool                     `json:"ec2.EbsEncryptionByDefault"`
	FlowLogs               []FlowLog                 `json:"ec2.FlowLogs"`
	Snapshots              []EBSSnapshot             `json:"ec2.Snapshots"`
	Trails                 []Trail                   `json:"cloudtrail.trailList"`
	TrailStatus            map[string]TrailStatus    `json:"cloudtrail.trailStatus"`
	EventSelectors         map[string]EventSelectors `json:"cloudtrail.eventSelectors"`
	// AccountPublicAccessBlock is GetPublicAccessBlock's configuration; present and null
	// means none is set.
	AccountPublicAccessBlock *PublicAccessBlock `json:"s3control.PublicAccessBlockConfiguration"`
	KeyRotationStatus        map[string]Bool    `json:"kms.KeyRotationStatus"`

	// Facts beyond the list, for rules that need them.
	// Organization is DescribeOrganization's Organization; present and null means the
	// account is in no organisation.
	Organization *Organization `json:"organizations.Organization"`
	// GuardDutyDetectors is GetDetector per detector id (ListDetectors).
	GuardDutyDetectors map[string]GuardDutyDetector `json:"guardduty.Detectors"`
	// GuardDutyFindings is GetFindings' Findings that are not archived (ListFindings with
	// service.archived false), per detector id.
	GuardDutyFindings map[string][]GuardDutyFinding `json:"guardduty.Findings"`
	// BackupPlans is ListBackupPlans' BackupPlansList (BackupPlanId, BackupPlanName); its
	// presence says that the snapshot records AWS Backup's resource assignments.
	BackupPlans []BackupPlan `json:"backup.BackupPlans"`
	// SecurityHub is DescribeHub; present and null means Security Hub is not enabled.
	SecurityHub *SecurityHubHub `json:"securityhub.Hub"`
	// DocumentPermissions is DescribeDocumentPermission (Share) per SSM document the
	// account owns.
	DocumentPermissions map[string]DocumentPermission `json:"ssm.DocumentPermissions"`
	// ShieldSubscriptionState is GetSubscriptionState's SubscriptionState: ACTIVE when
	// the account subscribes to Shield Advanced, INACTIVE when not.
	ShieldSubscriptionState string `json:"shield.SubscriptionState"`
	// ShieldDRTAccess is DescribeDRTAccess (RoleArn, LogBucketList): the role, if any,
	// through which the Shield Response Team may act in the account.
	ShieldDRTAccess *ShieldDRTAccess `json:"shield.DRTAccess"`
	// DataFacts are the facts of the data services' periodic rules (account_data.go).
	DataFacts
	// ComputeFacts are the facts of the EC2 instance rules on AMIs (account_compute.go).
	ComputeFacts
	// DetectionFacts are the facts of the threat-detection rules (account_detection.go).
	DetectionFacts
	// RDSFacts are the facts of the RDS parameter group rules (account_rds.go).
	RDSFacts

	// ECRRegistryScanning is GetRegistryScanningConfiguration's scanningConfiguration.
	ECRRegistryScanning *RegistryScanning `json:"ecr.RegistryScanningConfiguration"`
	// MacieSession is GetMacieSession; present and null means Macie is not enabled.
	MacieSession *MacieSession `json:"macie2.Session"`
	// MacieAdministrator is GetAdministratorAccount's administrator; present and null
	// means the account is no Macie member account.
	MacieAdministrator *MacieAdministrator `json:"macie2.AdministratorAccount"`
	// MacieAutomatedDiscovery is GetAutomatedDiscoveryConfiguration; present and null
	// means Macie is not enabled.
	MacieAutomatedDiscovery *MacieAutomatedDiscovery `json:"macie2.AutomatedDiscoveryConfiguration"`
	// AlternateContacts is GetAlternateContact's AlternateContact by type (SECURITY,
	// BILLING, OPERATIONS); a type without a contact is left out.
	AlternateContacts map[string]AlternateContact `json:"account.AlternateContacts"`
	// PortfolioShares is DescribePortfolioShares' PortfolioShareDetails (every share
	// type) per Service Catalog portfolio id the account owns.
	PortfolioShares map[string][]PortfolioShare `json:"servicecatalog.PortfolioShares"`

	present map[string]bool
}

// UnmarshalJSON decodes the facts and records which keys were present, so that a null
// fact (no password policy) differs from one not collected. Unknown keys are ignored.
func (a *Account) UnmarshalJSON(b []byte) error {
	type plain Account
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	*a = Account(p)
	a.present = make(map[string]bool, len(keys))
	for k := range keys {
		a.present[k] = true
	}
	return nil
}

// Has reports whether the fact key was present in the snapshot, even as null.
func (a *Account) Has(key string) bool {
	if a == nil {
		return false
	}
	if a.present == nil { // built in Go rather than decoded: non-nil fields count
		return false
	}
	return a.present[key]
}

// MarkPresent records key as collected; for Accounts built in Go.
func (a *Account) MarkPresent(keys ...string) {
	if a.present == nil {
		a.present = map[string]bool{}
	}
	for _, k := range keys {
		a.present[k] = true
	}
}

// Bool is a boolean fact written either bare or as the API response object that holds
// it ({"EbsEncryptionByDefault": true}, {"KeyRotationEnabled": true}).
type Bool bool

// UnmarshalJSON accepts true/false, "true"/"false" or an object with one boolean member.
func (v *Bool) UnmarshalJSON(b []byte) error {
	var x bool
	if err := json.Unmarshal(b, &x); err == nil {
		*v = Bool(x)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		switch s {
		case "true", "True":
			*v = true
			return nil
		case "false", "False":
			*v = false
			return nil
		}
		return fmt.Errorf("want a boolean, got %q", s)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("want a boolean or an object holding one")
	}
	for _, k := range []string{"EbsEncryptionByDefault", "KeyRotationEnabled", "Enabled"} {
		if r, ok := m[k]; ok {
			return v.UnmarshalJSON(r)
		}
	}
	return fmt.Errorf("object holds no known boolean member")
}

// AccessKey is one AccessKeyMetadata.
type AccessKey struct {
	UserName    string
	AccessKeyID string `json:"AccessKeyId"`
	Status      string
	CreateDate  time.Time
}

// MFADevice is one ListMFADevices entry.
type MFADevice struct {
	UserName     string
	SerialNumber string
	EnableDate   time.Time
}

// VirtualMFADevice is one ListVirtualMFADevices entry.
type VirtualMFADevice struct {
	SerialNumber string
	User         *struct{ UserName, UserID, Arn string }
}

// PasswordPolicy is GetAccountPasswordPolicy's PasswordPolicy.
type PasswordPolicy struct {
	MinimumPasswordLength      int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	ExpirePasswords            bool
	MaxPasswordAge             int
	PasswordReusePrevention    int
	HardExpiry                 bool
}

// FlowLog is one DescribeFlowLogs entry.
type FlowLog struct {
	FlowLogID         string `json:"FlowLogId"`
	ResourceID        string `json:"ResourceId"`
	TrafficType       string
	FlowLogStatus     string
	DeliverLogsStatus string
}

// EBSSnapshot is one owned snapshot with its createVolumePermission list.
type EBSSnapshot struct {
	SnapshotID             string `json:"SnapshotId"`
	CreateVolumePermission []struct {
		Group  string
		UserID string `json:"UserId"`
	} `json:"createVolumePermission"`
}

// Trail is one DescribeTrails trailList entry.
type Trail struct {
	Name                       string
	TrailARN                   string
	HomeRegion                 string
	S3BucketName               string
	SnsTopicARN                string
	CloudWatchLogsLogGroupArn  string
	KmsKeyID                   string `json:"KmsKeyId"`
	IsMultiRegionTrail         bool
	LogFileValidationEnabled   bool
	IncludeGlobalServiceEvents bool
	IsOrganizationTrail        bool
}

// TrailStatus is GetTrailStatus.
type TrailStatus struct {
	IsLogging                        bool
	LatestCloudWatchLogsDeliveryTime *time.Time
	LatestDeliveryTime               *time.Time
}

// EventSelectors is GetEventSelectors.
type EventSelectors struct {
	EventSelectors []struct {
		ReadWriteType                 string
		IncludeManagementEvents       *bool
		ExcludeManagementEventSources []string
		DataResources                 []struct {
			Type   string
			Values []string
		}
	}
	AdvancedEventSelectors []struct {
		Name           string
		FieldSelectors []struct {
			Field         string
			Equals        []string
			StartsWith    []string
			NotEquals     []string
			NotStartsWith []string
		}
	}
}

// Organization is DescribeOrganization's Organization.
type Organization struct {
	ID               string `json:"Id"`
	MasterAccountID  string `json:"MasterAccountId"`
	MasterAccountArn string
}

// GuardDutyDetector is GetDetector: the detector's status, its protection plans
// (Features) and, for detectors that predate features, its DataSources.
type GuardDutyDetector struct {
	Status      string
	Features    []GuardDutyFeature    `json:"Features,omitempty"`
	DataSources *GuardDutyDataSources `json:"DataSources,omitempty"`
}

// BackupPlan is the part of ListBackupPlans' BackupPlansList entry the facts keep.
type BackupPlan struct {
	BackupPlanID   string `json:"BackupPlanId"`
	BackupPlanName string `json:"BackupPlanName"`
}

// GuardDutyFinding is the part of a GuardDuty finding the rules read.
type GuardDutyFinding struct {
	ID        string  `json:"Id"`
	Type      string  `json:"Type"`
	Severity  float64 `json:"Severity"`
	CreatedAt string  `json:"CreatedAt"` // RFC 3339
	UpdatedAt string  `json:"UpdatedAt"` // RFC 3339
}

// SecurityHubHub is DescribeHub.
type SecurityHubHub struct {
	HubArn string
}

// DocumentPermission is DescribeDocumentPermission.
type DocumentPermission struct {
	AccountIDs []string `json:"AccountIds"`
}

// ShieldDRTAccess is DescribeDRTAccess.
type ShieldDRTAccess struct {
	RoleArn       string   `json:"RoleArn"`
	LogBucketList []string `json:"LogBucketList"`
}
