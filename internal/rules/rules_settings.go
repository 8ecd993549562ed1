package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// apiV2Route is the resource type of HTTP and WebSocket API routes, which AWS Config
// records with GetRoute's members (RouteKey, AuthorizationType, ...).
const apiV2Route = "AWS::ApiGatewayV2::Route"

// ecrRepositoryCI is the part of an ECR repository CI the settings rules read
// (CloudFormation's member names, read case-insensitively).
type ecrRepositoryCI struct {
	ImageTagMutability      string `json:"imageTagMutability"`
	EncryptionConfiguration *struct {
		EncryptionType string `json:"encryptionType"`
		KmsKey         string `json:"kmsKey"`
	} `json:"encryptionConfiguration"`
}

// settingFlag returns a rule on one boolean setting of a resource type: COMPLIANT when get
// reports it on.
func settingFlag[T any](id, desc, resourceType string, get func(*T) bool, bad string) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{resourceType},
		Item: func(_ Args, it *ci.Item, _ Env) (Compliance, string, error) {
			c, err := cfg[T](it)
			if err != nil {
				return "", "", err
			}
			return verdict(get(c), bad)
		}}
}

// netfwFirewallFlags is the part of a Network Firewall firewall CI the protection rules
// read.
type netfwFirewallFlags struct {
	Firewall struct {
		DeleteProtection       bool `json:"deleteProtection"`
		SubnetChangeProtection bool `json:"subnetChangeProtection"`
	} `json:"firewall"`
}

// replicationDestination is one replication rule with its destination bucket.
type replicationDestination struct {
	Status            string `json:"status"`
	DestinationConfig struct {
		BucketARN string `json:"bucketARN"`
	} `json:"destinationConfig"`
}

// replicationDestinations decodes the rules of a replication configuration, keyed by
// ID (as AWS Config records them) or listed; their order does not matter.
func replicationDestinations(raw json.RawMessage) ([]replicationDestination, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '[' {
		var list []replicationDestination
		err := json.Unmarshal(raw, &list)
		return list, err
	}
	var byID map[string]replicationDestination
	if err := json.Unmarshal(raw, &byID); err != nil {
		return nil, err
	}
	out := make([]replicationDestination, 0, len(byID))
	for _, id := range sortedKeys(byID) {
		out = append(out, byID[id])
	}
	return out, nil
}

var settingsRules = []*Rule{
	{
		ID:          "ECR_PRIVATE_TAG_IMMUTABILITY_ENABLED",
		Description: "Private ECR repositories have tag immutability (ImageTagMutability IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION).",
		Scope:       []string{ecrRepository},
		Item: func(_ Args, it *ci.Item, _ Env) (Compliance, string, error) {
			r, err := cfg[ecrRepositoryCI](it)
			if err != nil {
				return "", "", err
			}
			m := strings.ToUpper(r.ImageTagMutability)
			if m == "" {
				m = "MUTABLE" // ECR's default
			}
			return verdict(strings.HasPrefix(m, "IMMUTABLE"), "Image tags are "+m+".")
		},
	},
	{
		ID: "ECR_REPOSITORY_CMK_ENCRYPTION_ENABLED",
		Description: "ECR repositories are encrypted with a customer managed KMS key (EncryptionConfiguration KMS or KMS_DSSE naming a key other than alias/aws/ecr), " +
			"one of kmsKeyArns when given. A repository encrypted with AES256, or with KMS and no key named (the AWS managed key), is NON_COMPLIANT.",
		Scope:  []string{ecrRepository},
		Params: []Param{{Name: "kmsKeyArns", Type: CSV}},
		Item: func(a Args, it *ci.Item, _ Env) (Compliance, string, error) {
			r, err := cfg[ecrRepositoryCI](it)
			if err != nil {
				return "", "", err
			}
			e := r.EncryptionConfiguration
			if e == nil || !strings.HasPrefix(strings.ToUpper(e.EncryptionType), "KMS") {
				return NonCompliant, "The repository is encrypted with AES256, not a KMS key.", nil
			}
			key := e.KmsKey
			if key == "" || strings.HasSuffix(key, "alias/aws/ecr") {
				return NonCompliant, "The repository is encrypted with the AWS managed key aws/ecr.", nil
			}
			if a.Set("kmsKeyArns") && !anyKey(a.List("kmsKeyArns"), key) {
				return NonCompliant, "The repository is encrypted with " + key + ", not a key of kmsKeyArns.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "EKS_CLUSTER_SUPPORTED_VERSION",
		Description: "EKS clusters run Kubernetes oldestVersionSupported or newer (an older version is NON_COMPLIANT).",
		Scope:       []string{eksCluster},
		Params:      []Param{{Name: "oldestVersionSupported", Type: String, Required: true}},
		CheckParams: checkKubeVersion("oldestVersionSupported"),
		Item: func(a Args, it *ci.Item, _ Env) (Compliance, string, error) {
			oldest, _ := kubeVersion(a.Str("oldestVersionSupported"))
			c, err := cfg[eksClusterCI](it)
			if err != nil {
				return "", "", err
			}
			v, ok := kubeVersion(c.Version)
			if !ok {
				return "", "", fmt.Errorf("configuration.version: %q is not a Kubernetes version", c.Version)
			}
			older := v[0] < oldest[0] || (v[0] == oldest[0] && v[1] < oldest[1])
			return verdict(!older, "The cluster runs Kubernetes "+c.Version+", older than the oldest supported version "+a.Str("oldestVersionSupported")+".")
		},
	},
	{
		ID:          "CLOUDFRONT_DEFAULT_ROOT_OBJECT_CONFIGURED",
		Description: "CloudFront distributions name a default root object (DistributionConfig.DefaultRootObject).",
		Scope:       []string{cloudFrontDistribution},
		Item: func(_ Args, it *ci.Item, _ Env) (Compliance, string, error) {
			d, err := cfg[struct {
				DistributionConfig struct {
					DefaultRootObject string `json:"defaultRootObject"`
				} `json:"distributionConfig"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(strings.TrimSpace(d.DistributionConfig.DefaultRootObject) != "", "The distribution has no default root object.")
		},
	},
	{
		ID:          "CLOUDFRONT_ORIGIN_FAILOVER_ENABLED",
		Description: "CloudFront distributions have an origin group with at least two origins (DistributionConfig.OriginGroups), so that they fail over.",
		Scope:       []string{cloudFrontDistribution},
		Item: func(_ Args, it *ci.Item, _ Env) (Compliance, string, error) {
			d, err := cfg[distribution](it)
			if err != nil {
				return "", "", err
			}
			groups := d.DistributionConfig.OriginGroups.Items
			if len(groups) == 0 {
				return NonCompliant, "The distribution has no origin group.", nil
			}
			for _, g := range groups {
				if len(g.Members.Items) >= 2 {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "No origin group of the distribution has two origins.", nil
		},
	},
	settingFlag("DYNAMODB_TABLE_DELETION_PROTECTION_ENABLED",
		"DynamoDB tables have deletion protection on (deletionProtectionEnabled).", dynamoTable,
		func(t *struct {
			DeletionProtectionEnabled bool `json:"deletionProtectionEnabled"`
		}) bool {
			return t.DeletionProtectionEnabled
		}, "Deletion protection is off."),
	settingFlag("NETFW_DELETION_PROTECTION_ENABLED",
		"Network Firewall firewalls have deletion protection on (firewall.deleteProtection).", netfwFirewall,
		func(f *netfwFirewallFlags) bool { return f.Firewall.DeleteProtection }, "Deletion protection is off."),
	settingFlag("NETFW_SUBNET_CHANGE_PROTECTION_ENABLED",
		"Network Firewall firewalls have subnet change protection on (firewall.subnetChangeProtection).", netfwFirewall,
		func(f *netfwFirewallFlags) bool { return f.Firewall.SubnetChangeProtection }, "Subnet change protection is off."),
	settingFlag("RDS_CLUSTER_ENCRYPTED_AT_REST",
		"RDS DB clusters are encrypted at rest (storageEncrypted).", rdsCluster,
		func(c *struct {
			StorageEncrypted bool `json:"storageEncrypted"`
		}) bool {
			return c.StorageEncrypted
		}, "The DB cluster is not encrypted at rest."),
	{
		ID: "S3_BUCKET_CROSS_REGION_REPLICATION_ENABLED",
		Description: "S3 buckets have an enabled replication rule (BucketReplicationConfiguration) to a bucket in another region. A destination bucket among the snapshot's " +
			"S3 buckets in the bucket's own region makes a rule same-region; any other destination counts as another region, as a snapshot holds one region's buckets.",
		Scope:             []string{s3Bucket},
		FromSupplementary: true,
		Related:           []string{s3Bucket},
		Item: func(_ Args, it *ci.Item, env Env) (Compliance, string, error) {
			var conf struct {
				Rules json.RawMessage `json:"rules"`
			}
			ok, err := it.DecodeSupplementary("BucketReplicationConfiguration", &conf)
			if err != nil {
				return "", "", err
			}
			rules, err := replicationDestinations(conf.Rules)
			if err != nil {
				return "", "", fmt.Errorf("supplementaryConfiguration.BucketReplicationConfiguration.rules: %w", err)
			}
			if !ok || len(rules) == 0 {
				return NonCompliant, "The bucket has no replication rule.", nil
			}
			local := map[string]bool{} // names of the snapshot's buckets in this bucket's region
			if env.Related != nil {
				for _, b := range env.Related.Items(s3Bucket) {
					if !b.Deleted() && b.Region == it.Region {
						local[b.ResourceName] = true
						local[b.ResourceID] = true
					}
				}
			}
			enabled := false
			for _, r := range rules {
				if !strings.EqualFold(r.Status, "Enabled") {
					continue
				}
				enabled = true
				dest := r.DestinationConfig.BucketARN
				if i := strings.LastIndex(dest, ":"); i >= 0 {
					dest = dest[i+1:]
				}
				if !local[dest] {
					return Compliant, "", nil
				}
			}
			if !enabled {
				return NonCompliant, "No replication rule of the bucket is enabled.", nil
			}
			return NonCompliant, "Every enabled replication rule replicates to a bucket in the same region.", nil
		},
	},
	{
		ID:          "API_GWV2_AUTHORIZATION_TYPE_CONFIGURED",
		Description: "HTTP and WebSocket API routes have an authorization type other than NONE (AuthorizationType), the one of authorizationType (CUSTOM, AWS_IAM or JWT) when given.",
		Scope:       []string{apiV2Route},
		Params:      []Param{{Name: "authorizationType", Type: String}},
		CheckParams: oneOf("authorizationType", "CUSTOM", "AWS_IAM", "JWT"),
		Item: func(a Args, it *ci.Item, _ Env) (Compliance, string, error) {
			want := strings.ToUpper(strings.TrimSpace(a.Str("authorizationType")))
			r, err := cfg[struct {
				AuthorizationType string `json:"authorizationType"`
			}](it)
			if err != nil {
				return "", "", err
			}
			got := strings.ToUpper(r.AuthorizationType)
			if got == "" {
				got = "NONE"
			}
			switch {
			case got == "NONE":
				return NonCompliant, "The route has no authorization (NONE).", nil
			case want != "" && got != want:
				return NonCompliant, "The route's authorization type is " + got + ", not " + want + ".", nil
			}
			return Compliant, "", nil
		},
	},
}
