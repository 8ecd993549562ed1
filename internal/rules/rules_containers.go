package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/ci"
)

const (
	eksCluster    = "AWS::EKS::Cluster"
	ecrRepository = "AWS::ECR::Repository"
	ecsCluster    = "AWS::ECS::Cluster"
	ecsService    = "AWS::ECS::Service"
)

// eksLogTypes are the control plane log types EKS can send to CloudWatch Logs.
var eksLogTypes = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}

// eksClusterCI is the part of an EKS cluster CI the rules read. AWS Config records
// CloudFormation's member names (Version, EncryptionConfig, Logging.ClusterLogging.
// EnabledTypes); DescribeCluster's spelling (logging.clusterLogging as a list of
// {types, enabled}) is read too.
type eksClusterCI struct {
	Version          string `json:"version"`
	EncryptionConfig []struct {
		Resources []string `json:"resources"`
		Provider  struct {
			KeyArn string `json:"keyArn"`
		} `json:"provider"`
	} `json:"encryptionConfig"`
	Logging struct {
		ClusterLogging json.RawMessage `json:"clusterLogging"`
	} `json:"logging"`
}

// enabledLogTypes returns the control plane log types the cluster sends, in either shape.
func (c *eksClusterCI) enabledLogTypes() ([]string, error) {
	raw := bytes.TrimSpace(c.Logging.ClusterLogging)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var out []string
	if raw[0] == '[' {
		var list []struct {
			Types   []string `json:"types"`
			Enabled bool     `json:"enabled"`
		}
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("configuration.logging.clusterLogging: %w", err)
		}
		for _, l := range list {
			if l.Enabled {
				out = append(out, l.Types...)
			}
		}
		return out, nil
	}
	var cfn struct {
		EnabledTypes []struct {
			Type string `json:"type"`
		} `json:"enabledTypes"`
	}
	if err := json.Unmarshal(raw, &cfn); err != nil {
		return nil, fmt.Errorf("configuration.logging.clusterLogging: %w", err)
	}
	for _, t := range cfn.EnabledTypes {
		out = append(out, t.Type)
	}
	return out, nil
}

// secretsEncrypted judges an EKS cluster's envelope encryption of Kubernetes secrets:
// an encryptionConfig naming secrets, with a key among kmsKeyArns when given.
func secretsEncrypted(a Args, it *ci.Item, env Env) (Compliance, string, error) {
	c, err := cfg[eksClusterCI](it)
	if err != nil {
		return "", "", err
	}
	for _, e := range c.EncryptionConfig {
		if !slices.ContainsFunc(e.Resources, func(r string) bool { return strings.EqualFold(r, "secrets") }) {
			continue
		}
		if a.Set("kmsKeyArns") && !anyKey(a.List("kmsKeyArns"), e.Provider.KeyArn) {
			return NonCompliant, "Secrets are encrypted with " + e.Provider.KeyArn + ", not a key of kmsKeyArns.", nil
		}
		return Compliant, "", nil
	}
	return NonCompliant, "The cluster does not encrypt Kubernetes secrets with a KMS key.", nil
}

// checkKubeVersion returns a check that parameter name, when set, is a Kubernetes
// version kubeVersion reads.
func checkKubeVersion(name string) func(a Args) []probity.FieldError {
	return func(a Args) []probity.FieldError {
		if _, ok := kubeVersion(a.Str(name)); a.Set(name) && !ok {
			return []probity.FieldError{{Name: name, Message: fmt.Sprintf("%q is not a Kubernetes version such as 1.29", a.Str(name))}}
		}
		return nil
	}
}

// kubeVersion parses a Kubernetes minor version such as "1.29" into comparable parts.
func kubeVersion(s string) ([2]int, bool) {
	major, minor, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(s), "v"), ".")
	if !ok {
		return [2]int{}, false
	}
	if i := strings.IndexByte(minor, '.'); i >= 0 {
		minor = minor[:i]
	}
	x, err1 := strconv.Atoi(major)
	y, err2 := strconv.Atoi(minor)
	return [2]int{x, y}, err1 == nil && err2 == nil
}

// ecsSetting is one ECS cluster setting, in CloudFormation's shape ({Name, Value}) or
// DescribeClusters' ({name, value}).
type ecsSetting struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ecsServiceCI is the part of an ECS service CI the rules read (CloudFormation's names,
// with DescribeServices' platformFamily when recorded).
type ecsServiceCI struct {
	LaunchType               string `json:"launchType"`
	PlatformVersion          string `json:"platformVersion"`
	PlatformFamily           string `json:"platformFamily"`
	CapacityProviderStrategy []struct {
		CapacityProvider string `json:"capacityProvider"`
	} `json:"capacityProviderStrategy"`
}

// fargate reports whether the service runs on Fargate (its launch type, or a Fargate
// capacity provider).
func (s *ecsServiceCI) fargate() bool {
	if strings.EqualFold(s.LaunchType, "FARGATE") {
		return true
	}
	for _, p := range s.CapacityProviderStrategy {
		if strings.HasPrefix(strings.ToUpper(p.CapacityProvider), "FARGATE") {
			return true
		}
	}
	return false
}

var containerRules = []*Rule{
	{
		ID:          "EKS_CLUSTER_LOGGING_ENABLED",
		Description: "EKS clusters send every control plane log type (api, audit, authenticator, controllerManager, scheduler) to CloudWatch Logs.",
		Scope:       []string{eksCluster},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[eksClusterCI](it)
			if err != nil {
				return "", "", err
			}
			on, err := c.enabledLogTypes()
			if err != nil {
				return "", "", err
			}
			var off []string
			for _, t := range eksLogTypes {
				if !slices.ContainsFunc(on, func(x string) bool { return strings.EqualFold(x, t) }) {
					off = append(off, t)
				}
			}
			return verdict(len(off) == 0, "Control plane logs not sent: "+strings.Join(off, ", ")+".")
		},
	},
	{
		ID:          "EKS_CLUSTER_OLDEST_SUPPORTED_VERSION",
		Description: "EKS clusters run a Kubernetes version newer than oldestVersionSupported (a cluster on that version, or an older one, is NON_COMPLIANT).",
		Scope:       []string{eksCluster},
		Params:      []Param{{Name: "oldestVersionSupported", Type: String, Required: true}},
		CheckParams: checkKubeVersion("oldestVersionSupported"),
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			oldest, _ := kubeVersion(a.Str("oldestVersionSupported"))
			c, err := cfg[eksClusterCI](it)
			if err != nil {
				return "", "", err
			}
			v, ok := kubeVersion(c.Version)
			if !ok {
				return "", "", fmt.Errorf("configuration.version: %q is not a Kubernetes version", c.Version)
			}
			older := v[0] < oldest[0] || (v[0] == oldest[0] && v[1] <= oldest[1])
			return verdict(!older, "The cluster runs Kubernetes "+c.Version+", not newer than the oldest supported version "+a.Str("oldestVersionSupported")+".")
		},
	},
	{
		ID:          "EKS_CLUSTER_SECRETS_ENCRYPTED",
		Description: "EKS clusters encrypt Kubernetes secrets with a KMS key (an encryptionConfig naming secrets), one of kmsKeyArns when given.",
		Scope:       []string{eksCluster},
		Params:      []Param{{Name: "kmsKeyArns", Type: CSV}},
		Item:        secretsEncrypted,
	},
	{
		ID:          "EKS_SECRETS_ENCRYPTED",
		Description: "EKS clusters encrypt Kubernetes secrets with a KMS key (an encryptionConfig naming secrets), one of kmsKeyArns when given.",
		Scope:       []string{eksCluster},
		Params:      []Param{{Name: "kmsKeyArns", Type: CSV}},
		Item:        secretsEncrypted,
	},
	{
		ID: "ECR_PRIVATE_IMAGE_SCANNING_ENABLED",
		Description: "Private ECR repositories scan images on push or continuously: the repository's ScanOnPush, or a rule of the registry's scanning configuration " +
			"(the fact ecr.RegistryScanningConfiguration) whose filter matches the repository and whose frequency is SCAN_ON_PUSH or CONTINUOUS_SCAN.",
		Scope: []string{ecrRepository},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			r, err := cfg[struct {
				RepositoryName             string `json:"repositoryName"`
				ImageScanningConfiguration struct {
					ScanOnPush bool `json:"scanOnPush"`
				} `json:"imageScanningConfiguration"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if r.ImageScanningConfiguration.ScanOnPush {
				return Compliant, "", nil
			}
			name := r.RepositoryName
			if name == "" {
				name = it.ResourceName
			}
			if env.Account != nil && env.Account.ECRRegistryScanning != nil && env.Account.ECRRegistryScanning.Scans(name) {
				return Compliant, "", nil
			}
			return NonCompliant, "The repository scans images neither on push nor continuously.", nil
		},
	},
	{
		ID:          "ECR_PRIVATE_LIFECYCLE_POLICY_CONFIGURED",
		Description: "Private ECR repositories have a lifecycle policy.",
		Scope:       []string{ecrRepository},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			r, err := cfg[struct {
				LifecyclePolicy struct {
					LifecyclePolicyText string `json:"lifecyclePolicyText"`
				} `json:"lifecyclePolicy"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(strings.TrimSpace(r.LifecyclePolicy.LifecyclePolicyText) != "", "The repository has no lifecycle policy.")
		},
	},
	{
		ID:          "ECS_CONTAINER_INSIGHTS_ENABLED",
		Description: "ECS clusters have Container Insights on (the containerInsights setting enabled or enhanced).",
		Scope:       []string{ecsCluster},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				ClusterSettings []ecsSetting `json:"clusterSettings"`
				Settings        []ecsSetting `json:"settings"`
			}](it)
			if err != nil {
				return "", "", err
			}
			for _, s := range append(c.ClusterSettings, c.Settings...) {
				if strings.EqualFold(s.Name, "containerInsights") && (strings.EqualFold(s.Value, "enabled") || strings.EqualFold(s.Value, "enhanced")) {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "Container Insights is not enabled.", nil
		},
	},
	{
		ID: "ECS_FARGATE_LATEST_PLATFORM_VERSION",
		Description: "ECS services on Fargate use the LATEST platform version (unset means LATEST), or the version latestLinuxVersion or latestWindowsVersion " +
			"names for their platform family; services not on Fargate are NOT_APPLICABLE.",
		Scope:  []string{ecsService},
		Params: []Param{{Name: "latestLinuxVersion", Type: String}, {Name: "latestWindowsVersion", Type: String}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			s, err := cfg[ecsServiceCI](it)
			if err != nil {
				return "", "", err
			}
			if !s.fargate() {
				return na("The service does not run on Fargate.")
			}
			v := strings.TrimSpace(s.PlatformVersion)
			if v == "" || strings.EqualFold(v, "LATEST") {
				return Compliant, "", nil
			}
			want := "latestLinuxVersion"
			if strings.HasPrefix(strings.ToUpper(s.PlatformFamily), "WINDOWS") {
				want = "latestWindowsVersion"
			}
			if !a.Set(want) {
				return NonCompliant, "The service pins platform version " + v + " and " + want + " is not given.", nil
			}
			return verdict(strings.TrimPrefix(v, "v") == strings.TrimPrefix(a.Str(want), "v"), "The service runs platform version "+v+", not "+a.Str(want)+".")
		},
	},
}
