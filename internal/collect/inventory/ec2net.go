package inventory

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// This file records the EC2 network resources the network rules read, each as AWS
// Config does: the describe API's structure camel-cased (configJSON), by the resource's
// id. Resources in the deleted state, which the describe APIs list for a while after
// their deletion, are left out, as AWS Config records them as deleted.

// collectAddresses records Elastic IP addresses (AWS::EC2::EIP, by allocation id, the
// public address for an EC2-Classic address without one).
func collectAddresses(ctx context.Context, r *run) error {
	out, err := ec2.NewFromConfig(r.cfg).DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if err != nil {
		return err
	}
	for _, a := range out.Addresses {
		id := aws.ToString(a.AllocationId)
		if id == "" {
			id = aws.ToString(a.PublicIp)
		}
		it, err := r.ec2Item("AWS::EC2::EIP", id, "eip-allocation", a, a.Tags)
		if err != nil {
			return err
		}
		r.add(it)
	}
	return nil
}

// collectNetworkInterfaces records network interfaces (AWS::EC2::NetworkInterface), with
// their security groups in groups, as EC2_SECURITY_GROUP_ATTACHED_TO_ENI reads them.
func collectNetworkInterfaces(ctx context.Context, r *run) error {
	p := ec2.NewDescribeNetworkInterfacesPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeNetworkInterfacesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, n := range out.NetworkInterfaces {
			it, err := r.ec2Item("AWS::EC2::NetworkInterface", aws.ToString(n.NetworkInterfaceId), "network-interface", n, n.TagSet)
			if err != nil {
				return err
			}
			it.Zone = aws.ToString(n.AvailabilityZone)
			r.add(it)
		}
	}
	return nil
}

// collectLaunchTemplates records launch templates (AWS::EC2::LaunchTemplate, by id, the
// name as resource name) with CloudFormation's member names, as AWS Config's example CI
// has them: LaunchTemplateName, Id, LaunchTemplateData (the default version's, under
// the API's member names), DefaultVersionNumber and LatestVersionNumber as strings, and
// TagSpecifications.
func collectLaunchTemplates(ctx context.Context, r *run) error {
	c := ec2.NewFromConfig(r.cfg)
	var lts []ec2types.LaunchTemplate
	p := ec2.NewDescribeLaunchTemplatesPaginator(c, &ec2.DescribeLaunchTemplatesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		lts = append(lts, out.LaunchTemplates...)
	}
	return r.each(ctx, len(lts), func(ctx context.Context, i int) error {
		lt := lts[i]
		id := aws.ToString(lt.LaunchTemplateId)
		out, err := c.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id), Versions: []string{"$Default"}})
		switch errorCode(err) {
		case "InvalidLaunchTemplateId.NotFound", "InvalidLaunchTemplateId.VersionNotFound":
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		data := any(map[string]any{})
		for _, v := range out.LaunchTemplateVersions {
			if v.LaunchTemplateData != nil {
				data = withoutNulls(mustDecode(v.LaunchTemplateData))
				withholdLaunchTemplateData(data)
			}
		}
		specs := []any{}
		if len(lt.Tags) > 0 {
			specs = append(specs, map[string]any{"ResourceType": "launch-template", "Tags": withoutNulls(mustDecode(lt.Tags))})
		}
		conf := map[string]any{"LaunchTemplateName": aws.ToString(lt.LaunchTemplateName), "Id": id, "LaunchTemplateData": data,
			"DefaultVersionNumber": strconv.FormatInt(aws.ToInt64(lt.DefaultVersionNumber), 10),
			"LatestVersionNumber":  strconv.FormatInt(aws.ToInt64(lt.LatestVersionNumber), 10), "TagSpecifications": specs}
		r.add(Item{ARN: r.arn("ec2", r.region, "launch-template/"+id), ResourceType: "AWS::EC2::LaunchTemplate", ResourceID: id,
			ResourceName: aws.ToString(lt.LaunchTemplateName), Zone: "Regional", Created: timeString(lt.CreateTime), Tags: ec2Tags(lt.Tags),
			Configuration: mustJSON(conf)})
		return nil
	})
}

// collectTransitGateways records transit gateways (AWS::EC2::TransitGateway), with
// options.autoAcceptSharedAttachments enable or disable.
func collectTransitGateways(ctx context.Context, r *run) error {
	p := ec2.NewDescribeTransitGatewaysPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeTransitGatewaysInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, g := range out.TransitGateways {
			if g.State == ec2types.TransitGatewayStateDeleted {
				continue
			}
			it, err := r.ec2Item("AWS::EC2::TransitGateway", aws.ToString(g.TransitGatewayId), "transit-gateway", g, g.Tags)
			if err != nil {
				return err
			}
			it.Created = timeString(g.CreationTime)
			r.add(it)
		}
	}
	return nil
}

// collectClientVpnEndpoints records Client VPN endpoints (AWS::EC2::ClientVpnEndpoint)
// with their authorization rules (DescribeClientVpnAuthorizationRules, camel-cased) in
// supplementaryConfiguration.AuthorizationRules, which EC2_CLIENT_VPN_NOT_AUTHORIZE_ALL
// reads.
func collectClientVpnEndpoints(ctx context.Context, r *run) error {
	c := ec2.NewFromConfig(r.cfg)
	var eps []ec2types.ClientVpnEndpoint
	p := ec2.NewDescribeClientVpnEndpointsPaginator(c, &ec2.DescribeClientVpnEndpointsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, e := range out.ClientVpnEndpoints {
			if e.Status == nil || e.Status.Code != ec2types.ClientVpnEndpointStatusCodeDeleted {
				eps = append(eps, e)
			}
		}
	}
	return r.each(ctx, len(eps), func(ctx context.Context, i int) error {
		e := eps[i]
		id := aws.ToString(e.ClientVpnEndpointId)
		rules := []ec2types.AuthorizationRule{}
		ap := ec2.NewDescribeClientVpnAuthorizationRulesPaginator(c, &ec2.DescribeClientVpnAuthorizationRulesInput{ClientVpnEndpointId: aws.String(id)})
		for ap.HasMorePages() {
			out, err := ap.NextPage(ctx)
			if errorCode(err) == "InvalidClientVpnEndpointId.NotFound" {
				return nil // deleted since it was listed
			}
			if err != nil {
				return err
			}
			rules = append(rules, out.AuthorizationRules...)
		}
		it, err := r.ec2Item("AWS::EC2::ClientVpnEndpoint", id, "client-vpn-endpoint", e, e.Tags)
		if err != nil {
			return err
		}
		auth, err := configJSON(rules)
		if err != nil {
			return err
		}
		it.Supplementary = map[string]json.RawMessage{"AuthorizationRules": auth}
		r.add(it)
		return nil
	})
}

// collectVpnConnections records Site-to-Site VPN connections (AWS::EC2::VPNConnection),
// with the tunnels' state in vgwTelemetry. The customer gateway configuration, which
// holds the tunnels' pre-shared keys, is left out: no rule reads it, and a snapshot is
// stored and shown.
func collectVpnConnections(ctx context.Context, r *run) error {
	out, err := ec2.NewFromConfig(r.cfg).DescribeVpnConnections(ctx, &ec2.DescribeVpnConnectionsInput{})
	if err != nil {
		return err
	}
	for _, v := range out.VpnConnections {
		if v.State == ec2types.VpnStateDeleted {
			continue
		}
		v.CustomerGatewayConfiguration = nil
		it, err := r.ec2Item("AWS::EC2::VPNConnection", aws.ToString(v.VpnConnectionId), "vpn-connection", v, v.Tags)
		if err != nil {
			return err
		}
		r.add(it)
	}
	return nil
}

// collectInternetGateways records internet gateways (AWS::EC2::InternetGateway), with the
// VPCs they are attached to in attachments.
func collectInternetGateways(ctx context.Context, r *run) error {
	p := ec2.NewDescribeInternetGatewaysPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeInternetGatewaysInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, g := range out.InternetGateways {
			it, err := r.ec2Item("AWS::EC2::InternetGateway", aws.ToString(g.InternetGatewayId), "internet-gateway", g, g.Tags)
			if err != nil {
				return err
			}
			r.add(it)
		}
	}
	return nil
}
