package inventory

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// This file records the EC2 resources and facts of the Spot Fleet, VPC endpoint, AMI
// and *_TAGGED rules: VPC endpoints, Spot Fleet requests, EC2 Fleets, capacity
// reservations, DHCP option sets and customer-managed prefix lists as CIs, and the
// AMIs of the region's instances and their Allowed AMIs standing as account facts.
// Resources in a final state (deleted, cancelled, expired), which the describe APIs list
// for a while, are left out, as AWS Config records them as deleted.

// collectVpcEndpoints records VPC endpoints (AWS::EC2::VPCEndpoint, by id), as
// SERVICE_VPC_ENDPOINT_ENABLED reads them: vpcId, serviceName, state.
func collectVpcEndpoints(ctx context.Context, r *run) error {
	p := ec2.NewDescribeVpcEndpointsPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeVpcEndpointsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, e := range out.VpcEndpoints {
			switch e.State {
			case ec2types.StateDeleted, ec2types.StateFailed, ec2types.StateRejected, ec2types.StateExpired:
				continue
			}
			it, err := r.ec2Item("AWS::EC2::VPCEndpoint", aws.ToString(e.VpcEndpointId), "vpc-endpoint", e, e.Tags)
			if err != nil {
				return err
			}
			it.Created = timeString(e.CreationTimestamp)
			r.add(it)
		}
	}
	return nil
}

// collectSpotFleets records Spot Fleet requests (AWS::EC2::SpotFleet, by request id)
// with CloudFormation's member names, as AWS Config records the type:
// SpotFleetRequestConfigData holds DescribeSpotFleetRequests' SpotFleetRequestConfig
// under the API's member names. Cancelled requests are left out.
func collectSpotFleets(ctx context.Context, r *run) error {
	p := ec2.NewDescribeSpotFleetRequestsPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeSpotFleetRequestsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range out.SpotFleetRequestConfigs {
			if strings.HasPrefix(string(s.SpotFleetRequestState), "cancelled") {
				continue
			}
			id := aws.ToString(s.SpotFleetRequestId)
			data := any(map[string]any{})
			if s.SpotFleetRequestConfig != nil {
				data = withoutNulls(mustDecode(s.SpotFleetRequestConfig))
			}
			r.add(Item{ARN: r.arn("ec2", r.region, "spot-fleet-request/"+id), ResourceType: "AWS::EC2::SpotFleet", ResourceID: id,
				Zone: "Regional", Created: timeString(s.CreateTime), Tags: ec2Tags(s.Tags),
				Configuration: mustJSON(map[string]any{"SpotFleetRequestConfigData": data})})
		}
	}
	return nil
}

// collectEC2Fleets records EC2 Fleets (AWS::EC2::EC2Fleet, by fleet id), DescribeFleets
// camel-cased; deleted fleets are left out.
func collectEC2Fleets(ctx context.Context, r *run) error {
	p := ec2.NewDescribeFleetsPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeFleetsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, f := range out.Fleets {
			if strings.HasPrefix(string(f.FleetState), "deleted") {
				continue
			}
			it, err := r.ec2Item("AWS::EC2::EC2Fleet", aws.ToString(f.FleetId), "fleet", f, f.Tags)
			if err != nil {
				return err
			}
			it.Created = timeString(f.CreateTime)
			r.add(it)
		}
	}
	return nil
}

// collectCapacityReservations records capacity reservations
// (AWS::EC2::CapacityReservation, by id), DescribeCapacityReservations camel-cased;
// cancelled, expired and failed reservations are left out.
func collectCapacityReservations(ctx context.Context, r *run) error {
	p := ec2.NewDescribeCapacityReservationsPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeCapacityReservationsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, c := range out.CapacityReservations {
			switch c.State {
			case ec2types.CapacityReservationStateCancelled, ec2types.CapacityReservationStateExpired, ec2types.CapacityReservationStateFailed:
				continue
			}
			it, err := r.ec2Item("AWS::EC2::CapacityReservation", aws.ToString(c.CapacityReservationId), "capacity-reservation", c, c.Tags)
			if err != nil {
				return err
			}
			it.ARN = cmp.Or(aws.ToString(c.CapacityReservationArn), it.ARN)
			it.Zone = aws.ToString(c.AvailabilityZone)
			it.Created = timeString(c.CreateDate)
			r.add(it)
		}
	}
	return nil
}

// collectDHCPOptions records DHCP option sets (AWS::EC2::DHCPOptions, by id),
// DescribeDhcpOptions camel-cased.
func collectDHCPOptions(ctx context.Context, r *run) error {
	p := ec2.NewDescribeDhcpOptionsPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeDhcpOptionsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, d := range out.DhcpOptions {
			it, err := r.ec2Item("AWS::EC2::DHCPOptions", aws.ToString(d.DhcpOptionsId), "dhcp-options", d, d.Tags)
			if err != nil {
				return err
			}
			r.add(it)
		}
	}
	return nil
}

// collectPrefixLists records the customer-managed prefix lists
// (AWS::EC2::PrefixList, by id, its ARN and name), DescribeManagedPrefixLists
// camel-cased; AWS-managed lists (owner AWS) and deleted ones are left out.
func collectPrefixLists(ctx context.Context, r *run) error {
	p := ec2.NewDescribeManagedPrefixListsPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeManagedPrefixListsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, l := range out.PrefixLists {
			if aws.ToString(l.OwnerId) == "AWS" || l.State == ec2types.PrefixListStateDeleteComplete {
				continue
			}
			it, err := r.ec2Item("AWS::EC2::PrefixList", aws.ToString(l.PrefixListId), "prefix-list", l, l.Tags)
			if err != nil {
				return err
			}
			it.ARN = cmp.Or(aws.ToString(l.PrefixListArn), it.ARN)
			it.ResourceName = aws.ToString(l.PrefixListName)
			it.Zone = "Regional"
			r.add(it)
		}
	}
	return nil
}

// instanceImageIDs returns the distinct AMI ids the region's instances (any state but
// terminated) were launched from, sorted.
func instanceImageIDs(ctx context.Context, c *ec2.Client) ([]string, error) {
	var ids []string
	p := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, res := range out.Reservations {
			for _, in := range res.Instances {
				if id := aws.ToString(in.ImageId); id != "" && !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// collectInstanceImages sets the fact ec2.Images: DescribeImages' Images (ImageId,
// Tags) for the AMIs of the region's instances, asked for 100 ids at a time (a call
// naming ids returns them all at once). An AMI DescribeImages no longer shows
// (deregistered, no longer shared) is absent: when a batch fails on such an id, its ids
// are asked for one by one.
func collectInstanceImages(ctx context.Context, r *run) error {
	c := ec2.NewFromConfig(r.cfg)
	ids, err := instanceImageIDs(ctx, c)
	if err != nil {
		return err
	}
	describe := func(ids []string) ([]ec2types.Image, error) {
		out, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: ids, IncludeDeprecated: aws.Bool(true)})
		if err != nil {
			return nil, err
		}
		return out.Images, nil
	}
	gone := func(err error) bool { return strings.HasPrefix(errorCode(err), "InvalidAMIID.") }
	type image struct {
		ImageId string
		Tags    []map[string]string
	}
	images := []image{}
	for batch := range slices.Chunk(ids, 100) {
		found, err := describe(batch)
		if gone(err) {
			found = nil
			for _, id := range batch {
				one, err := describe([]string{id})
				if err != nil && !gone(err) {
					return err
				}
				found = append(found, one...)
			}
		} else if err != nil {
			return err
		}
		for _, im := range found {
			tags := []map[string]string{}
			for _, t := range im.Tags {
				tags = append(tags, map[string]string{"Key": aws.ToString(t.Key), "Value": aws.ToString(t.Value)})
			}
			images = append(images, image{ImageId: aws.ToString(im.ImageId), Tags: tags})
		}
	}
	r.fact("ec2.Images", images)
	return nil
}

// collectAllowedImages sets the facts ec2.AllowedImagesSettings (GetAllowedImagesSettings,
// its State) and ec2.InstanceImageMetadata (DescribeInstanceImageMetadata's
// InstanceImageMetadata: InstanceId, ImageMetadata with ImageId and ImageAllowed).
func collectAllowedImages(ctx context.Context, r *run) error {
	c := ec2.NewFromConfig(r.cfg)
	st, err := c.GetAllowedImagesSettings(ctx, &ec2.GetAllowedImagesSettingsInput{})
	if err != nil {
		return err
	}
	type imageMetadata struct {
		ImageId      string
		ImageAllowed *bool `json:",omitempty"`
	}
	type instanceMetadata struct {
		InstanceId    string
		ImageMetadata *imageMetadata `json:",omitempty"`
	}
	list := []instanceMetadata{}
	p := ec2.NewDescribeInstanceImageMetadataPaginator(c, &ec2.DescribeInstanceImageMetadataInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, m := range out.InstanceImageMetadata {
			im := instanceMetadata{InstanceId: aws.ToString(m.InstanceId)}
			if m.ImageMetadata != nil {
				im.ImageMetadata = &imageMetadata{ImageId: aws.ToString(m.ImageMetadata.ImageId), ImageAllowed: m.ImageMetadata.ImageAllowed}
			}
			list = append(list, im)
		}
	}
	r.fact("ec2.AllowedImagesSettings", map[string]string{"State": aws.ToString(st.State)})
	r.fact("ec2.InstanceImageMetadata", list)
	return nil
}
