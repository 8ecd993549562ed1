package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ec2Tags returns EC2 tags as a map.
func ec2Tags(tags []ec2types.Tag) map[string]string {
	return tagMap(tags, func(t ec2types.Tag) (*string, *string) { return t.Key, t.Value })
}

// ec2Item returns the CI of an EC2 resource whose configuration is the describe API's
// structure v.
func (r *run) ec2Item(resourceType, id, resource string, v any, tags []ec2types.Tag) (Item, error) {
	conf, err := configJSON(v)
	if err != nil {
		return Item{}, err
	}
	return Item{ARN: r.arn("ec2", r.region, resource+"/"+id), ResourceType: resourceType, ResourceID: id,
		Tags: ec2Tags(tags), Configuration: conf}, nil
}

func collectInstances(ctx context.Context, r *run) error {
	p := ec2.NewDescribeInstancesPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeInstancesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, res := range out.Reservations {
			for _, in := range res.Instances {
				it, err := r.ec2Item("AWS::EC2::Instance", aws.ToString(in.InstanceId), "instance", in, in.Tags)
				if err != nil {
					return err
				}
				if in.Placement != nil {
					it.Zone = aws.ToString(in.Placement.AvailabilityZone)
				}
				it.Created = timeString(in.LaunchTime)
				r.add(it)
			}
		}
	}
	return nil
}

// securityGroupConfig is an AWS::EC2::SecurityGroup configuration as AWS Config writes
// it: each rule's IPv4 ranges in both the new form (ipv4Ranges objects) and the old
// (ipRanges strings).
func securityGroupConfig(sg ec2types.SecurityGroup) (json.RawMessage, error) {
	perms := func(ps []ec2types.IpPermission) ([]map[string]any, error) {
		out := []map[string]any{}
		for _, p := range ps {
			raw, err := configJSON(p)
			if err != nil {
				return nil, err
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, err
			}
			old := []string{}
			for _, rg := range p.IpRanges {
				old = append(old, aws.ToString(rg.CidrIp))
			}
			m["ipv4Ranges"], m["ipRanges"] = m["ipRanges"], old
			out = append(out, m)
		}
		return out, nil
	}
	in, err := perms(sg.IpPermissions)
	if err != nil {
		return nil, err
	}
	eg, err := perms(sg.IpPermissionsEgress)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"groupId": aws.ToString(sg.GroupId), "groupName": aws.ToString(sg.GroupName), "description": aws.ToString(sg.Description),
		"ownerId": aws.ToString(sg.OwnerId), "vpcId": aws.ToString(sg.VpcId), "ipPermissions": in, "ipPermissionsEgress": eg,
	})
}

func collectSecurityGroups(ctx context.Context, r *run) error {
	p := ec2.NewDescribeSecurityGroupsPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeSecurityGroupsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, sg := range out.SecurityGroups {
			conf, err := securityGroupConfig(sg)
			if err != nil {
				return err
			}
			id := aws.ToString(sg.GroupId)
			r.add(Item{ARN: r.arn("ec2", r.region, "security-group/"+id), ResourceType: "AWS::EC2::SecurityGroup", ResourceID: id,
				ResourceName: aws.ToString(sg.GroupName), Tags: ec2Tags(sg.Tags), Configuration: conf})
		}
	}
	return nil
}

func collectVolumes(ctx context.Context, r *run) error {
	p := ec2.NewDescribeVolumesPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeVolumesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, v := range out.Volumes {
			it, err := r.ec2Item("AWS::EC2::Volume", aws.ToString(v.VolumeId), "volume", v, v.Tags)
			if err != nil {
				return err
			}
			it.Zone, it.Created = aws.ToString(v.AvailabilityZone), timeString(v.CreateTime)
			r.add(it)
		}
	}
	return nil
}

// snapshotFact is one ec2.Snapshots entry: the snapshot with who may create volumes from it.
type snapshotFact struct {
	ec2types.Snapshot
	CreateVolumePermission []ec2types.CreateVolumePermission `json:"createVolumePermission"`
}

// collectSnapshots records the account's own EBS snapshots with their
// createVolumePermission (ec2.Snapshots).
func collectSnapshots(ctx context.Context, r *run) error {
	c := ec2.NewFromConfig(r.cfg)
	var snaps []ec2types.Snapshot
	p := ec2.NewDescribeSnapshotsPaginator(c, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, sn := range out.Snapshots {
			// moto answers OwnerIds self with its public AMIs' snapshots too.
			if aws.ToString(sn.OwnerId) == r.account {
				snaps = append(snaps, sn)
			}
		}
	}
	facts := make([]snapshotFact, len(snaps))
	err := r.each(ctx, len(snaps), func(ctx context.Context, i int) error {
		out, err := c.DescribeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{
			SnapshotId: snaps[i].SnapshotId, Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission})
		if err != nil {
			return err
		}
		facts[i] = snapshotFact{Snapshot: snaps[i], CreateVolumePermission: out.CreateVolumePermissions}
		if facts[i].CreateVolumePermission == nil {
			facts[i].CreateVolumePermission = []ec2types.CreateVolumePermission{}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.fact("ec2.Snapshots", facts)
	return nil
}

func collectEbsDefault(ctx context.Context, r *run) error {
	out, err := ec2.NewFromConfig(r.cfg).GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{})
	if err != nil {
		return err
	}
	r.fact("ec2.EbsEncryptionByDefault", aws.ToBool(out.EbsEncryptionByDefault))
	return nil
}

// collectNetwork records VPCs, subnets, network ACLs and route tables.
func collectNetwork(ctx context.Context, r *run) error {
	c := ec2.NewFromConfig(r.cfg)
	vpcs := ec2.NewDescribeVpcsPaginator(c, &ec2.DescribeVpcsInput{})
	for vpcs.HasMorePages() {
		out, err := vpcs.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, v := range out.Vpcs {
			it, err := r.ec2Item("AWS::EC2::VPC", aws.ToString(v.VpcId), "vpc", v, v.Tags)
			if err != nil {
				return err
			}
			r.add(it)
		}
	}
	subnets := ec2.NewDescribeSubnetsPaginator(c, &ec2.DescribeSubnetsInput{})
	for subnets.HasMorePages() {
		out, err := subnets.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range out.Subnets {
			it, err := r.ec2Item("AWS::EC2::Subnet", aws.ToString(s.SubnetId), "subnet", s, s.Tags)
			if err != nil {
				return err
			}
			it.Zone = aws.ToString(s.AvailabilityZone)
			r.add(it)
		}
	}
	acls := ec2.NewDescribeNetworkAclsPaginator(c, &ec2.DescribeNetworkAclsInput{})
	for acls.HasMorePages() {
		out, err := acls.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, n := range out.NetworkAcls {
			it, err := r.ec2Item("AWS::EC2::NetworkAcl", aws.ToString(n.NetworkAclId), "network-acl", n, n.Tags)
			if err != nil {
				return err
			}
			r.add(it)
		}
	}
	rts := ec2.NewDescribeRouteTablesPaginator(c, &ec2.DescribeRouteTablesInput{})
	for rts.HasMorePages() {
		out, err := rts.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, t := range out.RouteTables {
			it, err := r.ec2Item("AWS::EC2::RouteTable", aws.ToString(t.RouteTableId), "route-table", t, t.Tags)
			if err != nil {
				return err
			}
			r.add(it)
		}
	}
	return nil
}

// collectFlowLogs records DescribeFlowLogs (ec2.FlowLogs), which VPC_FLOW_LOGS_ENABLED
// reads beside the VPC CIs.
func collectFlowLogs(ctx context.Context, r *run) error {
	logs := []ec2types.FlowLog{}
	p := ec2.NewDescribeFlowLogsPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeFlowLogsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		logs = append(logs, out.FlowLogs...)
	}
	r.fact("ec2.FlowLogs", logs)
	return nil
}

func collectLaunchConfigurations(ctx context.Context, r *run) error {
	p := autoscaling.NewDescribeLaunchConfigurationsPaginator(autoscaling.NewFromConfig(r.cfg), &autoscaling.DescribeLaunchConfigurationsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, lc := range out.LaunchConfigurations {
			withholdLaunchConfiguration(&lc)
			conf, err := configJSON(lc)
			if err != nil {
				return err
			}
			name := aws.ToString(lc.LaunchConfigurationName)
			r.add(Item{ARN: aws.ToString(lc.LaunchConfigurationARN), ResourceType: "AWS::AutoScaling::LaunchConfiguration",
				ResourceID: name, ResourceName: name, Created: timeString(lc.CreatedTime), Configuration: conf})
		}
	}
	return nil
}
