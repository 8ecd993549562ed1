package inventory_test

import (
	"bytes"
	"context"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
)

// ec2Tag returns an EC2 tag specification of resource type rt with the tag team=v.
func ec2Tag(rt ec2types.ResourceType, v string) []ec2types.TagSpecification {
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: []ec2types.Tag{{Key: aws.String("team"), Value: aws.String(v)}}}}
}

// TestEC2FleetsEndpointsAndImages seeds moto with two VPCs (one with an S3 gateway
// endpoint), an EC2 Fleet, a DHCP option set and a customer-managed prefix list (each tagged), an AMI
// tagged approved and instances launched from it and from an untagged AMI, and a Network
// Load Balancer with a tagged TCP listener. It collects a snapshot and checks the CIs
// (the AWS-managed prefix lists left out), the facts ec2.Images, and what
// SERVICE_VPC_ENDPOINT_ENABLED, APPROVED_AMIS_BY_TAG, the *_TAGGED rules of these types and
// ELBV2_LISTENER_ENCRYPTION_IN_TRANSIT conclude on them.
func TestEC2FleetsEndpointsAndImages(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	e := ec2.NewFromConfig(cfg)

	vpc := func() string {
		out, err := e.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
		must(t, err)
		return aws.ToString(out.Vpc.VpcId)
	}
	withEndpoint, without := vpc(), vpc()
	ep, err := e.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(withEndpoint), ServiceName: aws.String("com.amazonaws." + region + ".s3"),
		VpcEndpointType: ec2types.VpcEndpointTypeGateway, TagSpecifications: ec2Tag(ec2types.ResourceTypeVpcEndpoint, "net")})
	must(t, err)
	epID := aws.ToString(ep.VpcEndpoint.VpcEndpointId)

	lt, err := e.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("fleet"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro}})
	must(t, err)
	ef, err := e.CreateFleet(ctx, &ec2.CreateFleetInput{Type: ec2types.FleetTypeMaintain,
		LaunchTemplateConfigs: []ec2types.FleetLaunchTemplateConfigRequest{{LaunchTemplateSpecification: &ec2types.FleetLaunchTemplateSpecificationRequest{
			LaunchTemplateId: lt.LaunchTemplate.LaunchTemplateId, Version: aws.String("1")}}},
		TargetCapacitySpecification: &ec2types.TargetCapacitySpecificationRequest{TotalTargetCapacity: aws.Int32(1), DefaultTargetCapacityType: ec2types.DefaultTargetCapacityTypeOnDemand},
		TagSpecifications:           ec2Tag(ec2types.ResourceTypeFleet, "batch")})
	must(t, err)
	fleetID := aws.ToString(ef.FleetId)

	dhcp, err := e.CreateDhcpOptions(ctx, &ec2.CreateDhcpOptionsInput{DhcpConfigurations: []ec2types.NewDhcpConfiguration{{Key: aws.String("domain-name"), Values: []string{"corp.example"}}}})
	must(t, err)
	dhcpID := aws.ToString(dhcp.DhcpOptions.DhcpOptionsId)
	// moto ignores the tag specifications of CreateDhcpOptions.
	_, err = e.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{dhcpID}, Tags: []ec2types.Tag{{Key: aws.String("team"), Value: aws.String("net")}}})
	must(t, err)
	pl, err := e.CreateManagedPrefixList(ctx, &ec2.CreateManagedPrefixListInput{PrefixListName: aws.String("offices"), AddressFamily: aws.String("IPv4"), MaxEntries: aws.Int32(5),
		Entries: []ec2types.AddPrefixListEntry{{Cidr: aws.String("192.0.2.0/24")}}, TagSpecifications: ec2Tag(ec2types.ResourceTypePrefixList, "net")})
	must(t, err)
	plID := aws.ToString(pl.PrefixList.PrefixListId)

	run := func(ami string) string {
		out, err := e.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
		must(t, err)
		return aws.ToString(out.Instances[0].InstanceId)
	}
	base := run("ami-12c6146b")
	img, err := e.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: aws.String(base), Name: aws.String("golden"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeImage, Tags: []ec2types.Tag{{Key: aws.String("approved"), Value: aws.String("yes")}}}}})
	must(t, err)
	golden := aws.ToString(img.ImageId)
	fromGolden := run(golden)

	subnet, err := e.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(without), CidrBlock: aws.String("10.0.1.0/24"), AvailabilityZone: aws.String(region + "a")})
	must(t, err)
	v2 := elbv2.NewFromConfig(cfg)
	lb, err := v2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("nlb"), Subnets: []string{aws.ToString(subnet.Subnet.SubnetId)}, Type: elbv2types.LoadBalancerTypeEnumNetwork})
	must(t, err)
	tg, err := v2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String("tcp"), Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(22), VpcId: aws.String(without)})
	must(t, err)
	ln, err := v2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn, Port: aws.Int32(22), Protocol: elbv2types.ProtocolEnumTcp,
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroups[0].TargetGroupArn}},
		Tags:           []elbv2types.Tag{{Key: aws.String("team"), Value: aws.String("edge")}}})
	must(t, err)
	listenerARN := aws.ToString(ln.Listeners[0].ListenerArn)

	acct, items, raw := collectTypes(t, m, account, "AWS::EC2::VPCEndpoint", "AWS::EC2::EC2Fleet", "AWS::EC2::DHCPOptions",
		"AWS::EC2::PrefixList", "AWS::ElasticLoadBalancingV2::Listener")
	type view struct {
		Type, Team string
		Conf       map[string]any
	}
	got := map[string]view{}
	for id, it := range items {
		got[id] = view{it.ResourceType, it.Tags["team"], pick(t, it.Configuration, "vpcId", "serviceName", "state",
			"fleetState", "prefixListName", "Protocol")}
	}
	want := map[string]view{
		epID:        {"AWS::EC2::VPCEndpoint", "net", map[string]any{"vpcId": withEndpoint, "serviceName": "com.amazonaws." + region + ".s3", "state": "available"}},
		fleetID:     {"AWS::EC2::EC2Fleet", "batch", map[string]any{"fleetState": "active"}},
		dhcpID:      {"AWS::EC2::DHCPOptions", "net", map[string]any{}},
		plID:        {"AWS::EC2::PrefixList", "net", map[string]any{"prefixListName": "offices", "state": "create-complete"}},
		listenerARN: {"AWS::ElasticLoadBalancingV2::Listener", "edge", map[string]any{"Protocol": "TCP"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("items (-want +got):\n%s", d)
	}

	var tags []ci.Tag
	for _, im := range acct.Images {
		if im.ImageID == golden {
			tags = im.Tags
		}
	}
	if d := cmp.Diff([]ci.Tag{{Key: "approved", Value: "yes"}}, tags); d != "" || len(acct.Images) != 2 {
		t.Errorf("ec2.Images: %d images; tags of %s (-want +got):\n%s", len(acct.Images), golden, d)
	}

	for _, c := range []struct {
		rule   string
		params map[string]string
		want   map[string]string
	}{
		{"SERVICE_VPC_ENDPOINT_ENABLED", map[string]string{"serviceName": "s3"}, map[string]string{withEndpoint: "COMPLIANT", without: "NON_COMPLIANT"}},
		{"APPROVED_AMIS_BY_TAG", map[string]string{"amisByTagKeyAndValue": "approved:yes"}, map[string]string{base: "NON_COMPLIANT", fromGolden: "COMPLIANT"}},
		{"EC2_FLEET_TAGGED", map[string]string{"requiredKeyTags": "team"}, map[string]string{fleetID: "COMPLIANT"}},
		{"EC2_DHCP_OPTIONS_TAGGED", nil, map[string]string{dhcpID: "COMPLIANT"}},
		{"EC2_PREFIX_LIST_TAGGED", nil, map[string]string{plID: "COMPLIANT"}},
		{"NLB_LISTENER_TAGGED", map[string]string{"requiredKeyTags": "team"}, map[string]string{listenerARN: "COMPLIANT"}},
		{"ELBV2_LISTENER_ENCRYPTION_IN_TRANSIT", nil, map[string]string{listenerARN: "NON_COMPLIANT"}},
	} {
		got := ruleResults(t, raw, c.rule, c.params)
		for id := range got {
			if _, ok := c.want[id]; !ok {
				delete(got, id) // resources of the type the test did not seed (moto's defaults)
			}
		}
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.rule, d)
		}
	}
}

// TestAllowedImagesAndCapacityReservations collects the Allowed AMIs facts, capacity
// reservations and Spot Fleet requests from recorded responses: moto lacks
// GetAllowedImagesSettings, DescribeInstanceImageMetadata and
// DescribeCapacityReservations, and drops the block device mappings of Spot Fleet launch
// specifications, so an httptest server answers these calls and
// DescribeSpotFleetRequests with EC2's documented XML (the metadata in two pages, a
// cancelled reservation and request among the others) for two instances launched in
// moto, to which every other request goes. It checks the facts, the CIs, and what
// EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI, EC2_CAPACITY_RESERVATION_TAGGED and
// EC2_SPOT_FLEET_REQUEST_CT_ENCRYPTION_AT_REST conclude.
func TestAllowedImagesAndCapacityReservations(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	const account, region = "123456789012", mototest.Region
	out, err := ec2.NewFromConfig(m.Config()).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(2), MaxCount: aws.Int32(2)})
	must(t, err)
	allowed, denied := aws.ToString(out.Instances[0].InstanceId), aws.ToString(out.Instances[1].InstanceId)

	const ns = `xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"`
	metadata := func(id, ami, ok string) string {
		return `<item><instanceId>` + id + `</instanceId><instanceType>t2.micro</instanceType><availabilityZone>` + region + `a</availabilityZone>` +
			`<state><code>16</code><name>running</name></state><ownerId>` + account + `</ownerId><tagSet/><imageMetadata><imageId>` + ami +
			`</imageId><name>al2023</name><ownerId>137112412989</ownerId><state>available</state><isPublic>true</isPublic><imageAllowed>` + ok +
			`</imageAllowed></imageMetadata></item>`
	}
	reservation := func(id, state, team string) string {
		return `<item><capacityReservationId>` + id + `</capacityReservationId><ownerId>` + account + `</ownerId><capacityReservationArn>arn:aws:ec2:` + region + `:` + account +
			`:capacity-reservation/` + id + `</capacityReservationArn><instanceType>m5.large</instanceType><instancePlatform>Linux/UNIX</instancePlatform><availabilityZone>` +
			region + `a</availabilityZone><tenancy>default</tenancy><totalInstanceCount>1</totalInstanceCount><availableInstanceCount>1</availableInstanceCount>` +
			`<state>` + state + `</state><endDateType>unlimited</endDateType><instanceMatchCriteria>open</instanceMatchCriteria>` +
			`<createDate>2026-01-02T03:04:05.000Z</createDate><tagSet>` + team + `</tagSet></item>`
	}
	spotFleet := func(id, state, specs string) string {
		return `<item><spotFleetRequestId>` + id + `</spotFleetRequestId><spotFleetRequestState>` + state + `</spotFleetRequestState><spotFleetRequestConfig>` +
			`<iamFleetRole>arn:aws:iam::` + account + `:role/fleet</iamFleetRole><targetCapacity>1</targetCapacity><allocationStrategy>lowestPrice</allocationStrategy>` +
			specs + `</spotFleetRequestConfig><createTime>2026-01-02T03:04:05.000Z</createTime></item>`
	}
	spec := func(encrypted string) string {
		return `<launchSpecifications><item><imageId>ami-12c6146b</imageId><instanceType>t3.micro</instanceType><blockDeviceMapping><item>` +
			`<deviceName>/dev/xvda</deviceName><ebs><encrypted>` + encrypted + `</encrypted><volumeSize>8</volumeSize></ebs></item></blockDeviceMapping></item></launchSpecifications>`
	}
	answers := map[string]func(v url.Values) string{
		"DescribeSpotFleetRequests": func(url.Values) string {
			return `<DescribeSpotFleetRequestsResponse ` + ns + `><requestId>r5</requestId><spotFleetRequestConfigSet>` +
				spotFleet("sfr-encrypted", "active", spec("true")) + spotFleet("sfr-plain", "active", spec("false")) + spotFleet("sfr-gone", "cancelled", spec("false")) +
				spotFleet("sfr-templates", "active", `<launchTemplateConfigs><item><launchTemplateSpecification><launchTemplateId>lt-1</launchTemplateId><version>1</version>`+
					`</launchTemplateSpecification></item></launchTemplateConfigs>`) +
				`</spotFleetRequestConfigSet></DescribeSpotFleetRequestsResponse>`
		},
		"GetAllowedImagesSettings": func(url.Values) string {
			return `<GetAllowedImagesSettingsResponse ` + ns + `><requestId>r1</requestId><state>audit-mode</state><imageCriterionSet><item><imageProviderSet>` +
				`<item>amazon</item></imageProviderSet></item></imageCriterionSet><managedBy>account</managedBy></GetAllowedImagesSettingsResponse>`
		},
		"DescribeInstanceImageMetadata": func(v url.Values) string {
			if v.Get("NextToken") == "" {
				return `<DescribeInstanceImageMetadataResponse ` + ns + `><requestId>r2</requestId><instanceImageMetadataSet>` + metadata(allowed, "ami-12c6146b", "true") +
					`</instanceImageMetadataSet><nextToken>2</nextToken></DescribeInstanceImageMetadataResponse>`
			}
			return `<DescribeInstanceImageMetadataResponse ` + ns + `><requestId>r3</requestId><instanceImageMetadataSet>` + metadata(denied, "ami-12c6146b", "false") +
				`</instanceImageMetadataSet></DescribeInstanceImageMetadataResponse>`
		},
		"DescribeCapacityReservations": func(url.Values) string {
			return `<DescribeCapacityReservationsResponse ` + ns + `><requestId>r4</requestId><capacityReservationSet>` +
				reservation("cr-tagged", "active", `<item><key>team</key><value>ml</value></item>`) + reservation("cr-bare", "active", "") +
				reservation("cr-gone", "cancelled", "") + `</capacityReservationSet></DescribeCapacityReservationsResponse>`
		},
	}
	cfg := recorded(t, m, recordedQuery(answers), "GetAllowedImagesSettings", "DescribeInstanceImageMetadata", "DescribeCapacityReservations")
	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	raw := buf.Bytes()

	dec := ci.NewDecoder(bytes.NewReader(raw))
	reservations := map[string]string{}
	for {
		it, err := dec.Next()
		if err != nil {
			break
		}
		if it.ResourceType == "AWS::EC2::CapacityReservation" {
			reservations[it.ResourceID] = it.ARN + " " + it.Tags["team"] + " " + mustString(t, pick(t, it.Configuration, "instanceType", "state"))
		}
	}
	arn := func(id string) string { return "arn:aws:ec2:" + region + ":" + account + ":capacity-reservation/" + id }
	if d := cmp.Diff(map[string]string{
		"cr-tagged": arn("cr-tagged") + ` ml {"instanceType":"m5.large","state":"active"}`,
		"cr-bare":   arn("cr-bare") + `  {"instanceType":"m5.large","state":"active"}`,
	}, reservations); d != "" {
		t.Errorf("capacity reservations (-want +got):\n%s", d)
	}
	acct := dec.Account()
	if acct.AllowedImages == nil || acct.AllowedImages.State != "audit-mode" || len(acct.InstanceImageMetadata) != 2 {
		t.Errorf("facts: ec2.AllowedImagesSettings %+v, %d instance image metadata", acct.AllowedImages, len(acct.InstanceImageMetadata))
	}
	if d := cmp.Diff(map[string]string{allowed: "COMPLIANT", denied: "NON_COMPLIANT"}, ruleResults(t, raw, "EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI", nil)); d != "" {
		t.Errorf("EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"sfr-encrypted": "COMPLIANT", "sfr-plain": "NON_COMPLIANT", "sfr-templates": "NOT_APPLICABLE"},
		ruleResults(t, raw, "EC2_SPOT_FLEET_REQUEST_CT_ENCRYPTION_AT_REST", nil)); d != "" {
		t.Errorf("EC2_SPOT_FLEET_REQUEST_CT_ENCRYPTION_AT_REST (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"cr-tagged": "COMPLIANT", "cr-bare": "NON_COMPLIANT"}, ruleResults(t, raw, "EC2_CAPACITY_RESERVATION_TAGGED", nil)); d != "" {
		t.Errorf("EC2_CAPACITY_RESERVATION_TAGGED (-want +got):\n%s", d)
	}
}
