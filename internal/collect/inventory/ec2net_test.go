package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// pick returns the members of a configuration at the dotted paths given (a.b reads
// member b of object a; a.0.b the first element of list a), absent ones left out.
func pick(t *testing.T, raw json.RawMessage, paths ...string) map[string]any {
	t.Helper()
	var x any
	must(t, json.Unmarshal(raw, &x))
	out := map[string]any{}
	for _, p := range paths {
		v := x
		for _, k := range strings.Split(p, ".") {
			switch c := v.(type) {
			case map[string]any:
				v = c[k]
			case []any:
				if k != "0" || len(c) == 0 {
					v = nil
				} else {
					v = c[0]
				}
			default:
				v = nil
			}
		}
		if v != nil {
			out[p] = v
		}
	}
	return out
}

// ruleResults evaluates rule id with params over a written snapshot, as the AWS_Config
// collector does (related items included), and returns the results by resource id.
func ruleResults(t *testing.T, raw []byte, id string, params map[string]string) map[string]string {
	t.Helper()
	rule, err := rules.Get(id)
	must(t, err)
	check, err := rule.Bind(params)
	must(t, err)
	got := map[string]string{}
	must(t, rules.Evaluate(check, ci.NewDecoder(bytes.NewReader(raw)), rules.Env{}, func(r rules.Result) error {
		got[r.ResourceID] = string(r.ComplianceType)
		return nil
	}))
	return got
}

// TestEC2NetworkResources seeds moto with Elastic IPs (one associated with a network
// interface), a security group in use and one not, launch templates (one whose default
// version, not its first, drops the public address), transit gateways that accept
// shared attachments or not, a VPN connection (moto reports no tunnel telemetry),
// internet gateways attached and detached, and Auto Scaling groups with and without
// a Classic Load Balancer, and checks their CIs and the network rules' conclusions.
func TestEC2NetworkResources(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	e := ec2.NewFromConfig(cfg)
	tags := func(rt ec2types.ResourceType, name string) []ec2types.TagSpecification {
		return []ec2types.TagSpecification{{ResourceType: rt, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}}
	}
	vpc, err := e.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")})
	must(t, err)
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	sub, err := e.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String("10.1.1.0/24"), AvailabilityZone: aws.String("us-east-1a")})
	must(t, err)
	subID := aws.ToString(sub.Subnet.SubnetId)
	sg := map[string]string{}
	for _, name := range []string{"used", "unused"} {
		out, err := e.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(vpcID)})
		must(t, err)
		sg[name] = aws.ToString(out.GroupId)
	}
	eni, err := e.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subID), Groups: []string{sg["used"]},
		TagSpecifications: tags(ec2types.ResourceTypeNetworkInterface, "web")})
	must(t, err)
	eniID := aws.ToString(eni.NetworkInterface.NetworkInterfaceId)
	eip := map[string]string{}
	for _, name := range []string{"attached", "spare"} {
		out, err := e.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc, TagSpecifications: tags(ec2types.ResourceTypeElasticIp, name)})
		must(t, err)
		eip[name] = aws.ToString(out.AllocationId)
	}
	_, err = e.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: aws.String(eip["attached"]), NetworkInterfaceId: aws.String(eniID)})
	must(t, err)

	public := &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-12c6146b"),
		NetworkInterfaces: []ec2types.LaunchTemplateInstanceNetworkInterfaceSpecificationRequest{{DeviceIndex: aws.Int32(0), AssociatePublicIpAddress: aws.Bool(true)}}}
	lt := map[string]string{}
	for _, name := range []string{"public", "fixed"} {
		out, err := e.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(name), LaunchTemplateData: public,
			TagSpecifications: tags(ec2types.ResourceTypeLaunchTemplate, name)})
		must(t, err)
		lt[name] = aws.ToString(out.LaunchTemplate.LaunchTemplateId)
	}
	_, err = e.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: aws.String(lt["fixed"]),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-12c6146b")}})
	must(t, err)
	_, err = e.ModifyLaunchTemplate(ctx, &ec2.ModifyLaunchTemplateInput{LaunchTemplateId: aws.String(lt["fixed"]), DefaultVersion: aws.String("2")})
	must(t, err)

	tgw := map[string]string{}
	for name, v := range map[string]ec2types.AutoAcceptSharedAttachmentsValue{"auto": "enable", "manual": "disable"} {
		out, err := e.CreateTransitGateway(ctx, &ec2.CreateTransitGatewayInput{Options: &ec2types.TransitGatewayRequestOptions{AutoAcceptSharedAttachments: v},
			TagSpecifications: tags(ec2types.ResourceTypeTransitGateway, name)})
		must(t, err)
		tgw[name] = aws.ToString(out.TransitGateway.TransitGatewayId)
	}
	cgw, err := e.CreateCustomerGateway(ctx, &ec2.CreateCustomerGatewayInput{Type: ec2types.GatewayTypeIpsec1, PublicIp: aws.String("198.51.100.1"), BgpAsn: aws.Int32(65000)})
	must(t, err)
	vgw, err := e.CreateVpnGateway(ctx, &ec2.CreateVpnGatewayInput{Type: ec2types.GatewayTypeIpsec1})
	must(t, err)
	vpn, err := e.CreateVpnConnection(ctx, &ec2.CreateVpnConnectionInput{Type: aws.String("ipsec.1"), CustomerGatewayId: cgw.CustomerGateway.CustomerGatewayId,
		VpnGatewayId: vgw.VpnGateway.VpnGatewayId})
	must(t, err)
	vpnID := aws.ToString(vpn.VpnConnection.VpnConnectionId)

	igw := map[string]string{}
	for _, name := range []string{"attached", "detached"} {
		out, err := e.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{TagSpecifications: tags(ec2types.ResourceTypeInternetGateway, name)})
		must(t, err)
		igw[name] = aws.ToString(out.InternetGateway.InternetGatewayId)
	}
	_, err = e.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(igw["attached"]), VpcId: aws.String(vpcID)})
	must(t, err)

	_, err = elb.NewFromConfig(cfg).CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{LoadBalancerName: aws.String("clb"), AvailabilityZones: []string{"us-east-1a"},
		Listeners: []elbtypes.Listener{{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstancePort: aws.Int32(80)}}})
	must(t, err)
	as := autoscaling.NewFromConfig(cfg)
	_, err = as.CreateLaunchConfiguration(ctx, &autoscaling.CreateLaunchConfigurationInput{LaunchConfigurationName: aws.String("lc"),
		ImageId: aws.String("ami-12c6146b"), InstanceType: aws.String("t3.micro")})
	must(t, err)
	for name, g := range map[string]struct {
		health string
		lbs    []string
	}{"elb-checked": {"ELB", []string{"clb"}}, "ec2-checked": {"EC2", []string{"clb"}}, "no-lb": {"EC2", nil}} {
		_, err = as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String(name), LaunchConfigurationName: aws.String("lc"),
			MinSize: aws.Int32(0), MaxSize: aws.Int32(1), VPCZoneIdentifier: aws.String(subID), HealthCheckType: aws.String(g.health), LoadBalancerNames: g.lbs})
		must(t, err)
	}

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	for _, s := range withoutMotoGaps(snap.Skipped) {
		if strings.HasPrefix(s.Part, "ec2.") || s.Part == "autoscaling.groups" {
			t.Errorf("part %s skipped: %s", s.Part, s.Error)
		}
	}
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	raw := buf.Bytes()

	type view struct {
		ARN, Name, Tag string
		Conf           map[string]any
	}
	paths := map[string][]string{
		"AWS::EC2::EIP":              {"allocationId", "domain", "networkInterfaceId"},
		"AWS::EC2::NetworkInterface": {"networkInterfaceId", "subnetId", "vpcId", "groups.0.groupId", "groups.0.groupName"},
		"AWS::EC2::LaunchTemplate": {"LaunchTemplateName", "Id", "DefaultVersionNumber", "LatestVersionNumber", "LaunchTemplateData.ImageId",
			"LaunchTemplateData.NetworkInterfaces.0.AssociatePublicIpAddress", "TagSpecifications.0.ResourceType", "TagSpecifications.0.Tags.0.Value"},
		"AWS::EC2::TransitGateway":           {"transitGatewayId", "transitGatewayArn", "options.autoAcceptSharedAttachments"},
		"AWS::EC2::VPNConnection":            {"vpnConnectionId", "type", "customerGatewayConfiguration"},
		"AWS::EC2::InternetGateway":          {"internetGatewayId", "attachments.0.vpcId"},
		"AWS::AutoScaling::AutoScalingGroup": {"autoScalingGroupName", "healthCheckType", "loadBalancerNames.0", "vpczoneIdentifier", "launchConfigurationName"},
	}
	got := map[string]view{}
	dec := ci.NewDecoder(bytes.NewReader(raw))
	for {
		it, err := dec.Next()
		if err != nil {
			break
		}
		ps, ok := paths[it.ResourceType]
		if !ok || it.ResourceType == "AWS::EC2::InternetGateway" && it.Tags["Name"] == "" { // moto's default VPC's gateway
			continue
		}
		if it.ResourceType == "AWS::AutoScaling::AutoScalingGroup" {
			var c struct {
				CreatedTime json.Number `json:"createdTime"`
			}
			must(t, json.Unmarshal(it.Configuration, &c))
			if _, err := c.CreatedTime.Int64(); err != nil || it.ResourceID != it.ARN {
				t.Errorf("group %s: createdTime %q (want epoch milliseconds), resource id %s (want the ARN)", it.ResourceName, c.CreatedTime, it.ResourceID)
			}
		}
		got[strings.TrimPrefix(it.ResourceType, "AWS::")+" "+it.ResourceName+it.Tags["Name"]] = view{it.ARN, it.ResourceName, it.Tags["Name"], pick(t, it.Configuration, ps...)}
	}
	arn := "arn:aws:ec2:" + region + ":" + account + ":"
	asg := func(name, health string, lb bool) view {
		c := map[string]any{"autoScalingGroupName": name, "healthCheckType": health, "vpczoneIdentifier": subID, "launchConfigurationName": "lc"}
		if lb {
			c["loadBalancerNames.0"] = "clb"
		}
		var a string
		for _, it := range snap.Items {
			if it.ResourceName == name {
				a = it.ARN
			}
		}
		if !strings.HasPrefix(a, "arn:aws:autoscaling:"+region+":"+account+":autoScalingGroup:") {
			t.Errorf("group %s: ARN %q", name, a)
		}
		return view{a, name, "", c}
	}
	want := map[string]view{
		"EC2::EIP attached": {arn + "eip-allocation/" + eip["attached"], "", "attached", map[string]any{"allocationId": eip["attached"], "domain": "vpc", "networkInterfaceId": eniID}},
		"EC2::EIP spare": {arn + "eip-allocation/" + eip["spare"], "", "spare", map[string]any{"allocationId": eip["spare"], "domain": "vpc",
			"networkInterfaceId": ""}}, // moto writes it empty, AWS leaves it out: EIP_ATTACHED reads both as none
		"EC2::NetworkInterface web": {arn + "network-interface/" + eniID, "", "web", map[string]any{"networkInterfaceId": eniID, "subnetId": subID, "vpcId": vpcID,
			"groups.0.groupId": sg["used"], "groups.0.groupName": "used"}},
		"EC2::LaunchTemplate publicpublic": {arn + "launch-template/" + lt["public"], "public", "public", map[string]any{"LaunchTemplateName": "public", "Id": lt["public"],
			"DefaultVersionNumber": "1", "LatestVersionNumber": "1", "LaunchTemplateData.ImageId": "ami-12c6146b",
			"LaunchTemplateData.NetworkInterfaces.0.AssociatePublicIpAddress": true, "TagSpecifications.0.ResourceType": "launch-template", "TagSpecifications.0.Tags.0.Value": "public"}},
		"EC2::LaunchTemplate fixedfixed": {arn + "launch-template/" + lt["fixed"], "fixed", "fixed", map[string]any{"LaunchTemplateName": "fixed", "Id": lt["fixed"],
			"DefaultVersionNumber": "2", "LatestVersionNumber": "2", "LaunchTemplateData.ImageId": "ami-12c6146b",
			"TagSpecifications.0.ResourceType": "launch-template", "TagSpecifications.0.Tags.0.Value": "fixed"}},
		"EC2::TransitGateway auto": {arn + "transit-gateway/" + tgw["auto"], "", "auto", map[string]any{"transitGatewayId": tgw["auto"],
			"transitGatewayArn": arn + "transit-gateway/" + tgw["auto"], "options.autoAcceptSharedAttachments": "enable"}},
		"EC2::TransitGateway manual": {arn + "transit-gateway/" + tgw["manual"], "", "manual", map[string]any{"transitGatewayId": tgw["manual"],
			"transitGatewayArn": arn + "transit-gateway/" + tgw["manual"], "options.autoAcceptSharedAttachments": "disable"}},
		"EC2::VPNConnection ":                       {arn + "vpn-connection/" + vpnID, "", "", map[string]any{"vpnConnectionId": vpnID, "type": "ipsec.1"}},
		"EC2::InternetGateway attached":             {arn + "internet-gateway/" + igw["attached"], "", "attached", map[string]any{"internetGatewayId": igw["attached"], "attachments.0.vpcId": vpcID}},
		"EC2::InternetGateway detached":             {arn + "internet-gateway/" + igw["detached"], "", "detached", map[string]any{"internetGatewayId": igw["detached"]}},
		"AutoScaling::AutoScalingGroup elb-checked": asg("elb-checked", "ELB", true),
		"AutoScaling::AutoScalingGroup ec2-checked": asg("ec2-checked", "EC2", true),
		"AutoScaling::AutoScalingGroup no-lb":       asg("no-lb", "EC2", false),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("items (-want +got):\n%s", d)
	}

	for _, c := range []struct {
		rule   string
		params map[string]string
		want   map[string]string // by resource id; others of the snapshot are not compared
	}{
		{"EIP_ATTACHED", nil, map[string]string{eip["attached"]: "COMPLIANT", eip["spare"]: "NON_COMPLIANT"}},
		{"EC2_SECURITY_GROUP_ATTACHED_TO_ENI", nil, map[string]string{sg["used"]: "COMPLIANT", sg["unused"]: "NON_COMPLIANT"}},
		{"EC2_SECURITY_GROUP_ATTACHED_TO_ENI_PERIODIC", nil, map[string]string{sg["used"]: "COMPLIANT", sg["unused"]: "NON_COMPLIANT"}},
		{"EC2_LAUNCH_TEMPLATE_PUBLIC_IP_DISABLED", nil, map[string]string{lt["public"]: "NON_COMPLIANT", lt["fixed"]: "COMPLIANT"}},
		{"EC2_LAUNCH_TEMPLATE_PUBLIC_IP_DISABLED", map[string]string{"exemptedLaunchTemplates": lt["public"]}, map[string]string{lt["public"]: "COMPLIANT", lt["fixed"]: "COMPLIANT"}},
		{"EC2_TRANSIT_GATEWAY_AUTO_VPC_ATTACH_DISABLED", nil, map[string]string{tgw["auto"]: "NON_COMPLIANT", tgw["manual"]: "COMPLIANT"}},
		{"VPC_VPN_2_TUNNELS_UP", nil, map[string]string{vpnID: "NON_COMPLIANT"}},
		{"INTERNET_GATEWAY_AUTHORIZED_VPC_ONLY", map[string]string{"AuthorizedVpcIds": vpcID}, map[string]string{igw["attached"]: "COMPLIANT", igw["detached"]: "NOT_APPLICABLE"}},
		{"INTERNET_GATEWAY_AUTHORIZED_VPC_ONLY", nil, map[string]string{igw["attached"]: "NON_COMPLIANT", igw["detached"]: "NOT_APPLICABLE"}},
		{"AUTOSCALING_GROUP_ELB_HEALTHCHECK_REQUIRED", nil, map[string]string{want["AutoScaling::AutoScalingGroup elb-checked"].ARN: "COMPLIANT",
			want["AutoScaling::AutoScalingGroup ec2-checked"].ARN: "NON_COMPLIANT", want["AutoScaling::AutoScalingGroup no-lb"].ARN: "NOT_APPLICABLE"}},
	} {
		all := ruleResults(t, raw, c.rule, c.params)
		got := map[string]string{}
		for id := range c.want {
			got[id] = all[id]
		}
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("%s %v (-want +got):\n%s", c.rule, c.params, d)
		}
	}
}
