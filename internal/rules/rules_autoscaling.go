package rules

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const (
	asGroup        = "AWS::AutoScaling::AutoScalingGroup"
	asLaunchConfig = "AWS::AutoScaling::LaunchConfiguration"
	ec2LaunchTmpl  = "AWS::EC2::LaunchTemplate"
)

// autoScalingGroup is the part of an Auto Scaling group CI the rules read
// (DescribeAutoScalingGroups, camel-cased as AWS Config records it).
type autoScalingGroup struct {
	LaunchConfigurationName string `json:"launchConfigurationName"`
	LaunchTemplate          *struct {
		LaunchTemplateID   string `json:"launchTemplateId"`
		LaunchTemplateName string `json:"launchTemplateName"`
	} `json:"launchTemplate"`
	MixedInstancesPolicy *struct {
		LaunchTemplate *struct {
			LaunchTemplateSpecification *struct {
				LaunchTemplateID   string `json:"launchTemplateId"`
				LaunchTemplateName string `json:"launchTemplateName"`
			} `json:"launchTemplateSpecification"`
			Overrides []struct {
				InstanceType         string `json:"instanceType"`
				InstanceRequirements any    `json:"instanceRequirements"`
			} `json:"overrides"`
		} `json:"launchTemplate"`
	} `json:"mixedInstancesPolicy"`
	AvailabilityZones []string `json:"availabilityZones"`
	CapacityRebalance bool     `json:"capacityRebalance"`
}

// instanceTypes returns the distinct instance types a group's mixed instances policy
// overrides name, and whether an override chooses types by instance requirements
// (attribute-based selection, which names several types by nature).
func (g *autoScalingGroup) instanceTypes() (types []string, byRequirements bool) {
	if g.MixedInstancesPolicy == nil || g.MixedInstancesPolicy.LaunchTemplate == nil {
		return nil, false
	}
	for _, o := range g.MixedInstancesPolicy.LaunchTemplate.Overrides {
		if o.InstanceRequirements != nil {
			byRequirements = true
		}
		if o.InstanceType != "" && !inList(types, o.InstanceType) {
			types = append(types, o.InstanceType)
		}
	}
	return types, byRequirements
}

// multipleTypes reports whether the group may launch more than one instance type.
func (g *autoScalingGroup) multipleTypes() bool {
	types, byReq := g.instanceTypes()
	return byReq || len(types) > 1
}

// groupRule builds a rule on Auto Scaling groups.
func groupRule(id, desc string, params []Param, f func(a Args, g *autoScalingGroup) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{asGroup}, Params: params,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			g, err := cfg[autoScalingGroup](it)
			if err != nil {
				return "", "", err
			}
			return f(a, g)
		}}
}

// templateData is the default version's LaunchTemplateData of a launch template CI,
// with CloudFormation's member names as AWS Config records it.
type templateData struct {
	MetadataOptions *struct {
		HTTPTokens   string `json:"HttpTokens"`
		HTTPEndpoint string `json:"HttpEndpoint"`
	} `json:"MetadataOptions"`
	BlockDeviceMappings []blockDevice `json:"BlockDeviceMappings"`
}

// blockDevice is one block device mapping of a launch template or a Spot Fleet launch
// specification; Ebs is nil for instance store volumes. Encrypted is nil when not set.
type blockDevice struct {
	DeviceName string `json:"DeviceName"`
	Ebs        *struct {
		Encrypted *bool `json:"Encrypted"`
	} `json:"Ebs"`
}

// unencryptedEBS judges block device mappings: NOT_APPLICABLE without EBS volumes,
// NON_COMPLIANT when an EBS volume does not set Encrypted true (not set leaves the
// volume unencrypted unless the account encrypts by default, which the mapping does not
// say), else COMPLIANT.
func unencryptedEBS(bds []blockDevice, what string) (Compliance, string, error) {
	ebs := 0
	for _, bd := range bds {
		if bd.Ebs == nil {
			continue
		}
		ebs++
		if bd.Ebs.Encrypted == nil || !*bd.Ebs.Encrypted {
			return NonCompliant, fmt.Sprintf("The EBS volume %s of %s does not set Encrypted true.", bd.DeviceName, what), nil
		}
	}
	if ebs == 0 {
		return na("No EBS volume is mapped in " + what + ".")
	}
	return Compliant, "", nil
}

// hopLimited is the metadata options of an instance or launch configuration CI.
type hopLimited struct {
	MetadataOptions *struct {
		HTTPPutResponseHopLimit *int `json:"httpPutResponseHopLimit"`
	} `json:"metadataOptions"`
}

// limit returns httpPutResponseHopLimit, and whether it is set.
func (h *hopLimited) limit() (int, bool) {
	if h.MetadataOptions == nil || h.MetadataOptions.HTTPPutResponseHopLimit == nil {
		return 0, false
	}
	return *h.MetadataOptions.HTTPPutResponseHopLimit, true
}

var autoScalingRules = []*Rule{
	groupRule("AUTOSCALING_CAPACITY_REBALANCING",
		"Auto Scaling groups that use several instance types (mixedInstancesPolicy overrides naming more than one type, or instance requirements) "+
			"have Capacity Rebalancing on; other groups are NOT_APPLICABLE.", nil,
		func(a Args, g *autoScalingGroup) (Compliance, string, error) {
			if !g.multipleTypes() {
				return na("The group does not use several instance types.")
			}
			return verdict(g.CapacityRebalance, "Capacity Rebalancing is off.")
		}),
	groupRule("AUTOSCALING_MULTIPLE_INSTANCE_TYPES",
		"Auto Scaling groups use more than one instance type: mixedInstancesPolicy overrides naming two types or more, or choosing them by instance requirements.", nil,
		func(a Args, g *autoScalingGroup) (Compliance, string, error) {
			return verdict(g.multipleTypes(), "The group defines a single instance type.")
		}),
	groupRule("AUTOSCALING_MULTIPLE_AZ",
		"Auto Scaling groups span more than one Availability Zone, or at least minAvailabilityZones when given.",
		[]Param{{Name: "minAvailabilityZones", Type: Int}},
		func(a Args, g *autoScalingGroup) (Compliance, string, error) {
			want := minZones(a)
			return verdict(len(g.AvailabilityZones) >= want,
				fmt.Sprintf("The group spans %d Availability Zones, fewer than %d.", len(g.AvailabilityZones), want))
		}),
	groupRule("AUTOSCALING_LAUNCH_TEMPLATE",
		"Auto Scaling groups launch from an EC2 launch template (launchTemplate, or the launch template of mixedInstancesPolicy), not a launch configuration.", nil,
		func(a Args, g *autoScalingGroup) (Compliance, string, error) {
			if g.LaunchTemplate != nil || (g.MixedInstancesPolicy != nil && g.MixedInstancesPolicy.LaunchTemplate != nil && g.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification != nil) {
				return Compliant, "", nil
			}
			if g.LaunchConfigurationName != "" {
				return NonCompliant, "The group launches from the launch configuration " + g.LaunchConfigurationName + ".", nil
			}
			return NonCompliant, "The group names no launch template.", nil
		}),
	{
		ID: "AUTOSCALING_LAUNCH_CONFIG_HOP_LIMIT",
		Description: "Launch configurations let the instance metadata token travel one hop at most (metadataOptions.httpPutResponseHopLimit, " +
			"1 when not set).",
		Scope: []string{asLaunchConfig},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			lc, err := cfg[hopLimited](it)
			if err != nil {
				return "", "", err
			}
			n, ok := lc.limit()
			return verdict(!ok || n <= 1, fmt.Sprintf("The metadata response hop limit is %d.", n))
		},
	},
	{
		ID:          "EC2_LAUNCH_TEMPLATE_IMDSV2_CHECK",
		Description: "The default version of an EC2 launch template requires IMDSv2 (LaunchTemplateData.MetadataOptions.HttpTokens required).",
		Scope:       []string{ec2LaunchTmpl},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			lt, err := cfg[struct {
				LaunchTemplateData templateData `json:"LaunchTemplateData"`
			}](it)
			if err != nil {
				return "", "", err
			}
			mo := lt.LaunchTemplateData.MetadataOptions
			if mo == nil || mo.HTTPTokens == "" {
				return NonCompliant, "The default version does not set the metadata version, so IMDSv1 is allowed.", nil
			}
			return verdict(strings.EqualFold(mo.HTTPTokens, "required"), "The default version allows IMDSv1 (HttpTokens "+mo.HTTPTokens+").")
		},
	},
	{
		ID: "EC2_LAUNCH_TEMPLATES_EBS_VOLUME_ENCRYPTED",
		Description: "Every EBS volume of the default version of an EC2 launch template sets Encrypted true; " +
			"a template mapping no EBS volume is NOT_APPLICABLE.",
		Scope: []string{ec2LaunchTmpl},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			lt, err := cfg[struct {
				LaunchTemplateData templateData `json:"LaunchTemplateData"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return unencryptedEBS(lt.LaunchTemplateData.BlockDeviceMappings, "the default version")
		},
	},
	{
		ID: "EC2_SPOT_FLEET_REQUEST_CT_ENCRYPTION_AT_REST",
		Description: "Every EBS volume of the launch specifications of a Spot Fleet request sets Encrypted true; requests that launch from " +
			"launch templates only, or map no EBS volume, are NOT_APPLICABLE.",
		Scope: []string{"AWS::EC2::SpotFleet"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			sf, err := cfg[struct {
				SpotFleetRequestConfigData struct {
					LaunchSpecifications []struct {
						BlockDeviceMappings []blockDevice `json:"BlockDeviceMappings"`
					} `json:"LaunchSpecifications"`
				} `json:"SpotFleetRequestConfigData"`
			}](it)
			if err != nil {
				return "", "", err
			}
			specs := sf.SpotFleetRequestConfigData.LaunchSpecifications
			if len(specs) == 0 {
				return na("The request has no launch specifications (it uses launch templates).")
			}
			var bds []blockDevice
			for _, s := range specs {
				bds = append(bds, s.BlockDeviceMappings...)
			}
			return unencryptedEBS(bds, "the launch specifications")
		},
	},
}
