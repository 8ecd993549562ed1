package rules

import (
	"cmp"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// publicFlag is the configuration of resources the rules judge by one
// publiclyAccessible flag (RDS, Redshift, DMS).
type publicFlag struct {
	PubliclyAccessible bool `json:"publiclyAccessible"`
}

// flagRule builds a rule that is NON_COMPLIANT when the configuration's
// publiclyAccessible is true.
func flagRule(id, desc, resourceType, bad string) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{resourceType},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			p, err := cfg[publicFlag](it)
			if err != nil {
				return "", "", err
			}
			return verdict(!p.PubliclyAccessible, bad)
		}}
}

type rdsSnapshot struct {
	Encrypted        bool `json:"encrypted"`
	StorageEncrypted bool `json:"storageEncrypted"`
}

var otherRules = []*Rule{
	flagRule("RDS_INSTANCE_PUBLIC_ACCESS_CHECK", "RDS DB instances are not publicly accessible.", "AWS::RDS::DBInstance",
		"The DB instance is publicly accessible."),
	flagRule("REDSHIFT_CLUSTER_PUBLIC_ACCESS_CHECK", "Redshift clusters are not publicly accessible.", "AWS::Redshift::Cluster",
		"The cluster is publicly accessible."),
	flagRule("DMS_REPLICATION_NOT_PUBLIC", "DMS replication instances are not publicly accessible.", "AWS::DMS::ReplicationInstance",
		"The replication instance is publicly accessible."),
	{
		ID:          "RDS_STORAGE_ENCRYPTED",
		Description: "RDS DB instances encrypt their storage, with kmsKeyId when given.",
		Scope:       []string{"AWS::RDS::DBInstance"},
		Params:      []Param{{Name: "kmsKeyId", Type: String}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			db, err := cfg[struct {
				StorageEncrypted bool   `json:"storageEncrypted"`
				KmsKeyID         string `json:"kmsKeyId"`
			}](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case !db.StorageEncrypted:
				return NonCompliant, "Storage is not encrypted.", nil
			case a.Set("kmsKeyId") && !sameKey(a.Str("kmsKeyId"), db.KmsKeyID):
				return NonCompliant, "Storage is not encrypted with kmsKeyId.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "RDS_SNAPSHOT_ENCRYPTED",
		Description: "RDS DB and cluster snapshots are encrypted.",
		Scope:       []string{"AWS::RDS::DBSnapshot", "AWS::RDS::DBClusterSnapshot"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			s, err := cfg[rdsSnapshot](it)
			if err != nil {
				return "", "", err
			}
			return verdict(s.Encrypted || s.StorageEncrypted, "The snapshot is not encrypted.")
		},
	},
	{
		ID:          "RDS_SNAPSHOTS_PUBLIC_PROHIBITED",
		Description: "RDS DB and cluster snapshots are not public (restore attribute holds all).",
		Scope:       []string{"AWS::RDS::DBSnapshot", "AWS::RDS::DBClusterSnapshot"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			for _, key := range []string{"DBSnapshotAttributes", "DBClusterSnapshotAttributes"} {
				var attrs []struct {
					AttributeName   string   `json:"attributeName"`
					AttributeValues []string `json:"attributeValues"`
				}
				if _, err := it.DecodeSupplementary(key, &attrs); err != nil {
					return "", "", err
				}
				for _, at := range attrs {
					if at.AttributeName == "restore" && inList(at.AttributeValues, "all") {
						return NonCompliant, "The snapshot is public.", nil
					}
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED",
		Description: "Lambda function policies grant nothing to everyone without a condition confining the caller.",
		Scope:       []string{"AWS::Lambda::Function"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			var pol ci.PolicyDocument
			if _, err := it.DecodeSupplementary("Policy", &pol); err != nil {
				return "", "", err
			}
			for _, s := range pol.Statement {
				if s.Public() {
					return NonCompliant, "The function policy allows public access.", nil
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "EKS_ENDPOINT_NO_PUBLIC_ACCESS",
		Description: "EKS cluster endpoints are not publicly accessible (EKS's default is public).",
		Scope:       []string{"AWS::EKS::Cluster"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				ResourcesVpcConfig struct {
					EndpointPublicAccess *bool `json:"endpointPublicAccess"`
				} `json:"resourcesVpcConfig"`
			}](it)
			if err != nil {
				return "", "", err
			}
			p := c.ResourcesVpcConfig.EndpointPublicAccess
			return verdict(p != nil && !*p, "The cluster endpoint is publicly accessible.")
		},
	},
	{
		ID:          "ELASTICSEARCH_IN_VPC_ONLY",
		Description: "Elasticsearch domains are in a VPC.",
		Scope:       []string{"AWS::Elasticsearch::Domain"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			d, err := cfg[struct {
				VPCOptions *struct {
					SubnetIDs []string `json:"subnetIds"`
					VPCID     string   `json:"vpcId"`
				} `json:"vpcOptions"`
				Endpoints map[string]string `json:"endpoints"`
			}](it)
			if err != nil {
				return "", "", err
			}
			inVPC := (d.VPCOptions != nil && (len(d.VPCOptions.SubnetIDs) > 0 || d.VPCOptions.VPCID != "")) || d.Endpoints["vpc"] != ""
			return verdict(inVPC, "The domain has a public endpoint.")
		},
	},
	{
		ID:          "EMR_MASTER_NO_PUBLIC_IP",
		Description: "Running or waiting EMR clusters' master nodes have no public IP address (public DNS name outside the VPC's internal names).",
		Scope:       []string{"AWS::EMR::Cluster"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				Status struct {
					State string `json:"state"`
				} `json:"status"`
				MasterPublicDNSName string `json:"masterPublicDnsName"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if c.Status.State != "RUNNING" && c.Status.State != "WAITING" {
				return na("The cluster is not running or waiting.")
			}
			dns := c.MasterPublicDNSName
			public := dns != "" && !strings.HasSuffix(dns, ".internal") && !strings.HasPrefix(dns, "ip-")
			return verdict(!public, "The master node has a public IP address.")
		},
	},
	{
		ID:          "SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS",
		Description: "SageMaker notebook instances have direct internet access disabled.",
		Scope:       []string{"AWS::SageMaker::NotebookInstance"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			n, err := cfg[struct {
				DirectInternetAccess string `json:"directInternetAccess"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(strings.EqualFold(n.DirectInternetAccess, "Disabled"), "Direct internet access is enabled.")
		},
	},
	{
		ID:          "CMK_BACKING_KEY_ROTATION_ENABLED",
		Description: "Automatic rotation is enabled for each customer managed symmetric KMS key (kms.KeyRotationStatus, collected for those keys only).",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if acct.KeyRotationStatus == nil {
				return nil, nil
			}
			var out []Result
			for _, id := range sortedKeys(acct.KeyRotationStatus) {
				c, note, _ := verdict(bool(acct.KeyRotationStatus[id]), "Automatic key rotation is not enabled.")
				out = append(out, Result{ResourceType: "AWS::KMS::Key", ResourceID: id, ComplianceType: c, Annotation: note})
			}
			return out, nil
		},
	},
	{
		ID:          "SSM_DOCUMENT_NOT_PUBLIC",
		Description: "No SSM document the account owns is shared with all accounts (ssm.DocumentPermissions).",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if acct.DocumentPermissions == nil {
				return nil, nil
			}
			var out []Result
			for _, name := range sortedKeys(acct.DocumentPermissions) {
				c, note, _ := verdict(!inList(acct.DocumentPermissions[name].AccountIDs, "all"), "The document is public.")
				out = append(out, Result{ResourceType: "AWS::SSM::Document", ResourceID: name, ComplianceType: c, Annotation: note})
			}
			return out, nil
		},
	},
	{
		ID:          "ACCOUNT_PART_OF_ORGANIZATIONS",
		Description: "The account is in an AWS organisation, managed by MasterAccountId when given.",
		Params:      []Param{{Name: "MasterAccountId", Type: String}},
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("organizations.Organization") {
				return nil, nil
			}
			o := acct.Organization
			switch {
			case o == nil:
				return []Result{accountResult(acct, NonCompliant, "The account is not part of an organization.")}, nil
			case a.Set("MasterAccountId") && o.MasterAccountID != a.Str("MasterAccountId"):
				return []Result{accountResult(acct, NonCompliant, "The organization's management account is "+o.MasterAccountID+".")}, nil
			}
			return []Result{accountResult(acct, Compliant, "")}, nil
		},
	},
	{
		ID:          "GUARDDUTY_ENABLED_CENTRALIZED",
		Description: "GuardDuty has an enabled detector in the account and region. With CentralMonitoringAccount, findings go there; this account's detector is still what is checked.",
		Params:      []Param{{Name: "CentralMonitoringAccount", Type: String}},
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("guardduty.Detectors") {
				return nil, nil
			}
			for _, d := range acct.GuardDutyDetectors {
				if d.Status == "ENABLED" {
					return []Result{accountResult(acct, Compliant, "")}, nil
				}
			}
			return []Result{accountResult(acct, NonCompliant, "GuardDuty is not enabled.")}, nil
		},
	},
	{
		ID:          "SECURITYHUB_ENABLED",
		Description: "Security Hub is enabled in the account (DescribeHub succeeds).",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("securityhub.Hub") {
				return nil, nil
			}
			c, note, _ := verdict(acct.SecurityHub != nil, "Security Hub is not enabled.")
			return []Result{accountResult(acct, c, note)}, nil
		},
	},
	{
		ID:          "KMS_CMK_NOT_SCHEDULED_FOR_DELETION",
		Description: "KMS keys are not pending deletion; keys outside kmsKeyIds, when given, are NOT_APPLICABLE.",
		Scope:       []string{"AWS::KMS::Key"},
		Params:      []Param{{Name: "kmsKeyIds", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			k, err := cfg[struct {
				KeyID    string `json:"keyId"`
				Arn      string `json:"arn"`
				KeyState string `json:"keyState"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if ids := a.List("kmsKeyIds"); ids != nil && !anyKey(ids, cmp.Or(k.KeyID, it.ResourceID)) && !anyKey(ids, cmp.Or(k.Arn, it.ARN)) {
				return na("Not one of kmsKeyIds.")
			}
			return verdict(k.KeyState != "PendingDeletion" && k.KeyState != "PendingReplicaDeletion", "The key is scheduled for deletion.")
		},
	},
}
