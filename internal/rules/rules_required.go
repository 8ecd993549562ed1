package rules

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// requiredTagTypes are the resource types REQUIRED_TAGS judges, as its documentation
// lists them.
var requiredTagTypes = []string{
	"AWS::ACM::Certificate", "AWS::AutoScaling::AutoScalingGroup", "AWS::CloudFormation::Stack", "AWS::CodeBuild::Project",
	"AWS::DynamoDB::Table", "AWS::EC2::CustomerGateway", "AWS::EC2::Instance", "AWS::EC2::InternetGateway", "AWS::EC2::NetworkAcl",
	"AWS::EC2::NetworkInterface", "AWS::EC2::RouteTable", "AWS::EC2::SecurityGroup", "AWS::EC2::Subnet", "AWS::EC2::Volume",
	"AWS::EC2::VPC", "AWS::EC2::VPNConnection", "AWS::EC2::VPNGateway", "AWS::ElasticLoadBalancing::LoadBalancer",
	"AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::RDS::DBInstance", "AWS::RDS::DBSecurityGroup", "AWS::RDS::DBSnapshot",
	"AWS::RDS::DBSubnetGroup", "AWS::RDS::EventSubscription", "AWS::Redshift::Cluster", "AWS::Redshift::ClusterParameterGroup",
	"AWS::Redshift::ClusterSecurityGroup", "AWS::Redshift::ClusterSnapshot", "AWS::Redshift::ClusterSubnetGroup", "AWS::S3::Bucket",
}

// requiredTagParams are tag1Key (CostCenter by default) to tag6Key, each with an
// optional tagNValue list.
var requiredTagParams = func() []Param {
	var ps []Param
	for n := 1; n <= 6; n++ {
		key := Param{Name: fmt.Sprintf("tag%dKey", n), Type: String}
		if n == 1 {
			key.Default, key.Required = "CostCenter", true
		}
		ps = append(ps, key, Param{Name: fmt.Sprintf("tag%dValue", n), Type: CSV})
	}
	return ps
}()

// vpcEndpoint is the part of an AWS::EC2::VPCEndpoint CI SERVICE_VPC_ENDPOINT_ENABLED
// reads (DescribeVpcEndpoints, camel-cased).
type vpcEndpoint struct {
	VpcID       string `json:"vpcId"`
	ServiceName string `json:"serviceName"`
	State       string `json:"state"`
}

// vpcEndpointType is the resource type of VPC endpoints.
const vpcEndpointType = "AWS::EC2::VPCEndpoint"

var requiredRules = []*Rule{
	{
		ID: "REQUIRED_TAGS",
		Description: "Resources carry every tag tagNKey given (tag keys and values are case-sensitive) and, where tagNValue lists values, " +
			"one of them as the tag's value.",
		Scope:  requiredTagTypes,
		Params: requiredTagParams,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			for n := 1; n <= 6; n++ {
				key := a.Str(fmt.Sprintf("tag%dKey", n))
				if key == "" {
					continue
				}
				v, ok := it.Tags[key]
				if !ok {
					return NonCompliant, "The resource lacks the tag " + key + ".", nil
				}
				if vals := a.List(fmt.Sprintf("tag%dValue", n)); vals != nil && !inList(vals, v) {
					return NonCompliant, fmt.Sprintf("The tag %s is %q, not one of %s.", key, v, strings.Join(vals, ", ")), nil
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "SERVICE_VPC_ENDPOINT_ENABLED",
		Description: "Each VPC has an endpoint (the snapshot's " + vpcEndpointType + " items, not deleted, deleting, failed, rejected or expired) " +
			"for the service serviceName: a service name equal to it or ending in \".\"+serviceName. A lone VPC CI is NOT_APPLICABLE.",
		Scope:   []string{"AWS::EC2::VPC"},
		Params:  []Param{{Name: "serviceName", Type: String, Required: true}},
		Related: []string{vpcEndpointType},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			if env.Related == nil {
				return na("The input does not hold the VPC endpoints (" + vpcEndpointType + " items of a snapshot).")
			}
			byVPC, err := env.Related.GroupBy(vpcEndpointType, "endpoints by VPC", func(e *ci.Item) (string, error) {
				c, err := cfg[vpcEndpoint](e)
				if err != nil {
					return "", err
				}
				return c.VpcID, nil
			})
			if err != nil {
				return "", "", err
			}
			want := a.Str("serviceName")
			for _, e := range byVPC[it.ResourceID] {
				c, err := cfg[vpcEndpoint](e)
				if err != nil {
					return "", "", err
				}
				switch strings.ToLower(c.State) {
				case "deleted", "deleting", "failed", "rejected", "expired":
					continue
				}
				if c.ServiceName == want || strings.HasSuffix(c.ServiceName, "."+want) {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "The VPC has no endpoint for " + want + ".", nil
		},
	},
}
