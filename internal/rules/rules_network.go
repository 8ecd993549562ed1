package rules

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const ec2ENI = "AWS::EC2::NetworkInterface"

// sgAttached judges a security group by the network interfaces that use it: the
// snapshot's AWS::EC2::NetworkInterface items naming it in groups, or the group's own
// relationships to network interfaces (as AWS Config records them). lone is the result
// for a lone CI without such relationships. Groups named default are NOT_APPLICABLE.
func sgAttached(periodic bool) func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
	return func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
		sg, err := cfg[struct {
			GroupName string `json:"groupName"`
			OwnerID   string `json:"ownerId"`
		}](it)
		if err != nil {
			return "", "", err
		}
		if sg.GroupName == "default" {
			return na("Default security groups are not judged.")
		}
		if periodic && sg.OwnerID != "" && it.AccountID != "" && sg.OwnerID != it.AccountID {
			return na("The security group is owned by another account.")
		}
		for _, r := range it.Relationships {
			if r.ResourceType == ec2ENI {
				return Compliant, "", nil
			}
		}
		if env.Related != nil {
			bySG, err := env.Related.GroupBy(ec2ENI, "bySecurityGroup", func(e *ci.Item) (string, error) {
				n, err := cfg[struct {
					Groups []struct {
						GroupID string `json:"groupId"`
					} `json:"groups"`
				}](e)
				if err != nil {
					return "", err
				}
				ids := make([]string, len(n.Groups))
				for i, g := range n.Groups {
					ids[i] = g.GroupID
				}
				return "," + strings.Join(ids, ",") + ",", nil
			})
			if err != nil {
				return "", "", err
			}
			for key := range bySG {
				if strings.Contains(key, ","+it.ResourceID+",") {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "No network interface uses the security group.", nil
		}
		if periodic {
			return na("The input does not hold the account's network interfaces (" + ec2ENI + " items of a snapshot).")
		}
		return NonCompliant, "The security group has no relationship to a network interface.", nil
	}
}

var networkRules = []*Rule{
	{
		ID:          "EIP_ATTACHED",
		Description: "Elastic IP addresses are associated with an instance or a network interface.",
		Scope:       []string{"AWS::EC2::EIP"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			e, err := cfg[struct {
				AssociationID      string `json:"associationId"`
				InstanceID         string `json:"instanceId"`
				NetworkInterfaceID string `json:"networkInterfaceId"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(e.AssociationID != "" || e.InstanceID != "" || e.NetworkInterfaceID != "", "The Elastic IP address is not attached.")
		},
	},
	{
		ID:          "EC2_INSTANCE_MULTIPLE_ENI_CHECK",
		Description: "EC2 instances use one network interface (or EFA); interfaces listed in NetworkInterfaceIds are allowed besides it.",
		Scope:       []string{ec2Instance},
		Params:      []Param{{Name: "NetworkInterfaceIds", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			in, err := cfg[struct {
				NetworkInterfaces []struct {
					NetworkInterfaceID string `json:"networkInterfaceId"`
				} `json:"networkInterfaces"`
			}](it)
			if err != nil {
				return "", "", err
			}
			n := 0
			for _, ni := range in.NetworkInterfaces {
				if !inList(a.List("NetworkInterfaceIds"), ni.NetworkInterfaceID) {
					n++
				}
			}
			return verdict(n <= 1, fmt.Sprintf("The instance uses %d network interfaces not listed in NetworkInterfaceIds.", n))
		},
	},
	{
		ID:          "EC2_NO_AMAZON_KEY_PAIR",
		Description: "Running EC2 instances were launched without a key pair (keyName); other states are NOT_APPLICABLE.",
		Scope:       []string{ec2Instance},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			in, err := cfg[struct {
				KeyName string `json:"keyName"`
				State   struct {
					Name string `json:"name"`
				} `json:"state"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if in.State.Name != "running" {
				return na("The instance is not running.")
			}
			return verdict(in.KeyName == "", "The instance was launched with the key pair "+in.KeyName+".")
		},
	},
	{
		ID: "EC2_LAUNCH_TEMPLATE_PUBLIC_IP_DISABLED",
		Description: "The default version of an EC2 launch template (LaunchTemplateData) has no network interface with AssociatePublicIpAddress true; " +
			"exemptedLaunchTemplates lists template ids that may.",
		Scope:  []string{"AWS::EC2::LaunchTemplate"},
		Params: []Param{{Name: "exemptedLaunchTemplates", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			lt, err := cfg[struct {
				ID                 string `json:"Id"`
				LaunchTemplateData struct {
					NetworkInterfaces []struct {
						AssociatePublicIPAddress bool `json:"AssociatePublicIpAddress"`
					} `json:"NetworkInterfaces"`
				} `json:"LaunchTemplateData"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if inList(a.List("exemptedLaunchTemplates"), it.ResourceID) || (lt.ID != "" && inList(a.List("exemptedLaunchTemplates"), lt.ID)) {
				return Compliant, "", nil
			}
			for _, ni := range lt.LaunchTemplateData.NetworkInterfaces {
				if ni.AssociatePublicIPAddress {
					return NonCompliant, "A network interface of the default version associates a public IP address.", nil
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "EC2_SECURITY_GROUP_ATTACHED_TO_ENI",
		Description: "Security groups other than default are used by a network interface (the snapshot's " + ec2ENI +
			" items, or the group's relationships to network interfaces).",
		Scope:   []string{ec2SG},
		Related: []string{ec2ENI},
		Item:    sgAttached(false),
	},
	{
		ID: "EC2_SECURITY_GROUP_ATTACHED_TO_ENI_PERIODIC",
		Description: "Security groups other than default, owned by the account, are used by a network interface (the snapshot's " + ec2ENI +
			" items, or the group's relationships to network interfaces).",
		Scope:   []string{ec2SG},
		Related: []string{ec2ENI},
		Item:    sgAttached(true),
	},
	{
		ID:          "EC2_TRANSIT_GATEWAY_AUTO_VPC_ATTACH_DISABLED",
		Description: "Transit gateways do not accept shared attachments automatically (options.autoAcceptSharedAttachments is not enable).",
		Scope:       []string{"AWS::EC2::TransitGateway"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			tg, err := cfg[struct {
				Options struct {
					AutoAcceptSharedAttachments string `json:"autoAcceptSharedAttachments"`
				} `json:"options"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(!strings.EqualFold(tg.Options.AutoAcceptSharedAttachments, "enable"), "The transit gateway accepts shared attachments automatically.")
		},
	},
	{
		ID: "EC2_CLIENT_VPN_NOT_AUTHORIZE_ALL",
		Description: "No authorization rule of a Client VPN endpoint (supplementaryConfiguration.AuthorizationRules, DescribeClientVpnAuthorizationRules) " +
			"grants access to all clients (AccessAll true).",
		Scope:             []string{"AWS::EC2::ClientVpnEndpoint"},
		FromSupplementary: true,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			var rules []struct {
				AccessAll       bool   `json:"accessAll"`
				DestinationCidr string `json:"destinationCidr"`
			}
			ok, err := it.DecodeSupplementary("AuthorizationRules", &rules)
			if err != nil {
				return "", "", err
			}
			if !ok {
				return na("The item does not record the endpoint's authorization rules.")
			}
			for _, r := range rules {
				if r.AccessAll {
					return NonCompliant, "An authorization rule grants all clients access to " + r.DestinationCidr + ".", nil
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "VPC_VPN_2_TUNNELS_UP",
		Description: "Both tunnels of a Site-to-Site VPN connection are UP (vgwTelemetry).",
		Scope:       []string{"AWS::EC2::VPNConnection"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			v, err := cfg[struct {
				VgwTelemetry []struct {
					Status        string `json:"status"`
					StatusMessage string `json:"statusMessage"`
				} `json:"vgwTelemetry"`
			}](it)
			if err != nil {
				return "", "", err
			}
			up := 0
			for _, t := range v.VgwTelemetry {
				if !strings.EqualFold(t.Status, "UP") {
					return NonCompliant, "A tunnel of the VPN connection is " + t.Status + ": " + t.StatusMessage, nil
				}
				up++
			}
			return verdict(up >= 2, fmt.Sprintf("The VPN connection has %d tunnels up, not 2.", up))
		},
	},
	{
		ID:          "INTERNET_GATEWAY_AUTHORIZED_VPC_ONLY",
		Description: "Internet gateways are attached only to VPCs of AuthorizedVpcIds (comma-separated); without it every attached gateway is NON_COMPLIANT. Detached gateways are NOT_APPLICABLE.",
		Scope:       []string{"AWS::EC2::InternetGateway"},
		Params:      []Param{{Name: "AuthorizedVpcIds", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			g, err := cfg[struct {
				Attachments []struct {
					VpcID string `json:"vpcId"`
				} `json:"attachments"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if len(g.Attachments) == 0 {
				return na("The internet gateway is not attached to a VPC.")
			}
			for _, at := range g.Attachments {
				if !inList(a.List("AuthorizedVpcIds"), at.VpcID) {
					return NonCompliant, "The internet gateway is attached to " + at.VpcID + ", which AuthorizedVpcIds does not list.", nil
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "VPC_NETWORK_ACL_UNUSED_CHECK",
		Description: "Network ACLs are associated with a subnet.",
		Scope:       []string{"AWS::EC2::NetworkAcl"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			n, err := cfg[struct {
				Associations []struct {
					SubnetID string `json:"subnetId"`
				} `json:"associations"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(len(n.Associations) > 0, "The network ACL is not associated with a subnet.")
		},
	},
	{
		ID: "AUTOSCALING_GROUP_ELB_HEALTHCHECK_REQUIRED",
		Description: "Auto Scaling groups associated with a Classic Load Balancer (loadBalancerNames) use Elastic Load Balancing health checks; " +
			"other groups are NOT_APPLICABLE.",
		Scope: []string{"AWS::AutoScaling::AutoScalingGroup"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			g, err := cfg[struct {
				LoadBalancerNames []string `json:"loadBalancerNames"`
				HealthCheckType   string   `json:"healthCheckType"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if len(g.LoadBalancerNames) == 0 {
				return na("The group is not associated with a Classic Load Balancer.")
			}
			for _, t := range strings.Split(g.HealthCheckType, ",") {
				if strings.EqualFold(strings.TrimSpace(t), "ELB") {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "The group uses " + g.HealthCheckType + " health checks, not ELB.", nil
		},
	},
	{
		ID:          "AUTOSCALING_LAUNCHCONFIG_REQUIRES_IMDSV2",
		Description: "Launch configurations require IMDSv2 (metadataOptions.httpTokens required).",
		Scope:       []string{"AWS::AutoScaling::LaunchConfiguration"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			lc, err := cfg[struct {
				MetadataOptions *struct {
					HTTPTokens string `json:"httpTokens"`
				} `json:"metadataOptions"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if lc.MetadataOptions == nil || lc.MetadataOptions.HTTPTokens == "" {
				return NonCompliant, "The launch configuration does not set the metadata version.", nil
			}
			return verdict(lc.MetadataOptions.HTTPTokens == "required", "The launch configuration allows IMDSv1 (httpTokens "+lc.MetadataOptions.HTTPTokens+").")
		},
	},
}
