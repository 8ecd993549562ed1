package rules

import (
	"github.com/probity-dev/probity/internal/ci"
)

// computeRules judge where EC2 instances and Lambda functions run and how they are
// watched.
var computeRules = []*Rule{
	{
		ID:          "INSTANCES_IN_VPC",
		Description: "EC2 instances belong to a VPC, to vpcId when given.",
		Scope:       []string{ec2Instance},
		Params:      []Param{{Name: "vpcId", Type: String}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			in, err := cfg[struct {
				VpcID string `json:"vpcId"`
			}](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case in.VpcID == "":
				return NonCompliant, "The instance is not in a VPC.", nil
			case a.Set("vpcId") && in.VpcID != a.Str("vpcId"):
				return NonCompliant, "The instance is in " + in.VpcID + ", not vpcId.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "EC2_INSTANCE_DETAILED_MONITORING_ENABLED",
		Description: "EC2 instances have detailed monitoring (monitoring.state enabled).",
		Scope:       []string{ec2Instance},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			in, err := cfg[struct {
				Monitoring struct {
					State string `json:"state"`
				} `json:"monitoring"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(in.Monitoring.State == "enabled", "Detailed monitoring is not enabled.")
		},
	},
	{
		ID:          "LAMBDA_INSIDE_VPC",
		Description: "Lambda functions are attached to a VPC (vpcConfig has subnets), to one of subnetIds when given.",
		Scope:       []string{"AWS::Lambda::Function"},
		Params:      []Param{{Name: "subnetIds", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			fn, err := cfg[struct {
				VpcConfig *struct {
					SubnetIDs []string `json:"subnetIds"`
				} `json:"vpcConfig"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if fn.VpcConfig == nil || len(fn.VpcConfig.SubnetIDs) == 0 {
				return NonCompliant, "The function is not in a VPC.", nil
			}
			if want := a.List("subnetIds"); want != nil {
				for _, s := range fn.VpcConfig.SubnetIDs {
					if !inList(want, s) {
						return NonCompliant, "Subnet " + s + " is not in subnetIds.", nil
					}
				}
			}
			return Compliant, "", nil
		},
	},
}
