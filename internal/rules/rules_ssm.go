package rules

import (
	"sort"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const (
	ssmInventory   = "AWS::SSM::ManagedInstanceInventory"
	ssmAssociation = "AWS::SSM::AssociationCompliance"
	ssmPatch       = "AWS::SSM::PatchCompliance"
	// ssmInstancesFact says the snapshot records which instances Systems Manager
	// manages (DescribeInstanceInformation InstanceInformationList).
	ssmInstancesFact = "ssm.InstanceInformationList"
)

// complianceStatus judges an SSM compliance CI (AWS::SSM::AssociationCompliance or
// AWS::SSM::PatchCompliance) as AWS Config records it: the entries of
// configuration["AWS:ComplianceItem"].Content[kind], each with a Status. Any entry
// NON_COMPLIANT makes the item NON_COMPLIANT; none at all leaves it NOT_APPLICABLE.
func complianceStatus(it *ci.Item, kind string) (Compliance, string, error) {
	c, err := cfg[struct {
		Item struct {
			Content map[string]map[string]struct {
				Status string `json:"Status"`
			} `json:"Content"`
		} `json:"AWS:ComplianceItem"`
	}](it)
	if err != nil {
		return "", "", err
	}
	var entries map[string]struct {
		Status string `json:"Status"`
	}
	for k, v := range c.Item.Content {
		if strings.EqualFold(k, kind) {
			entries = v
		}
	}
	if len(entries) == 0 {
		return na("The item records no " + kind + " compliance.")
	}
	var bad []string
	for id, e := range entries {
		if strings.EqualFold(e.Status, string(NonCompliant)) {
			bad = append(bad, id)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return NonCompliant, kind + " compliance is NON_COMPLIANT for " + strings.Join(bad, ", ") + ".", nil
	}
	return Compliant, "", nil
}

var ssmRules = []*Rule{
	{
		ID: "EC2_INSTANCE_MANAGED_BY_SSM",
		Description: "EC2 instances (running or stopped) are managed by Systems Manager: the snapshot holds an " + ssmInventory +
			" item for the instance. Results are on the instances, as AWS Config reports them.",
		Scope:   []string{ec2Instance},
		Related: []string{ssmInventory},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			in, err := cfg[struct {
				State struct {
					Name string `json:"name"`
				} `json:"state"`
			}](it)
			if err != nil {
				return "", "", err
			}
			switch in.State.Name {
			case "terminated", "shutting-down":
				return na("The instance is " + in.State.Name + ".")
			}
			if env.Related == nil {
				return na("The input does not hold the account's managed instances (" + ssmInventory + " items of a snapshot).")
			}
			if !env.Account.Has(ssmInstancesFact) {
				return na("The snapshot does not record Systems Manager's managed instances (the fact " + ssmInstancesFact + ").")
			}
			managed, err := env.Related.GroupBy(ssmInventory, "byId", func(m *ci.Item) (string, error) { return m.ResourceID, nil })
			if err != nil {
				return "", "", err
			}
			return verdict(len(managed[it.ResourceID]) > 0, "Systems Manager does not manage the instance.")
		},
	},
	{
		ID:          "EC2_MANAGEDINSTANCE_ASSOCIATION_COMPLIANCE_STATUS_CHECK",
		Description: "Every State Manager association of a managed instance is COMPLIANT after its execution.",
		Scope:       []string{ssmAssociation},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			return complianceStatus(it, "Association")
		},
	},
	{
		ID:          "EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK",
		Description: "The patch compliance of a managed instance is COMPLIANT after patching (no patch NON_COMPLIANT).",
		Scope:       []string{ssmPatch},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			return complianceStatus(it, "Patch")
		},
	},
}
