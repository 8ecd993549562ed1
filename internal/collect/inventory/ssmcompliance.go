package inventory

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// ssmComplianceTypes maps the compliance types Systems Manager reports for managed
// instances to the resource types AWS Config records them as.
var ssmComplianceTypes = map[string]string{
	"Association": "AWS::SSM::AssociationCompliance",
	"Patch":       "AWS::SSM::PatchCompliance",
}

// collectManagedInstances records what Systems Manager knows of the account's EC2
// instances, as AWS Config does: an AWS::SSM::ManagedInstanceInventory item per managed
// EC2 instance (the instance id as resource id; configuration
// {"AWS:InstanceInformation": {"SchemaVersion", "Content": {ID: {...}}}}), and for each
// instance with association or patch compliance an AWS::SSM::AssociationCompliance or
// AWS::SSM::PatchCompliance item (the instance id as resource id, AWS:ComplianceItem as
// name; configuration {"AWS:ComplianceItem": {"SchemaVersion", "ComplianceType",
// "Content": {TYPE: {ITEM ID: {Status, Severity, Title, ...}}}}}). The
// DescribeInstanceInformation list is the fact ssm.InstanceInformationList, which tells
// EC2_INSTANCE_MANAGED_BY_SSM that Systems Manager was read.
func collectManagedInstances(ctx context.Context, r *run) error {
	c := ssm.NewFromConfig(r.cfg)
	infos := []ssmtypes.InstanceInformation{}
	p := ssm.NewDescribeInstanceInformationPaginator(c, &ssm.DescribeInstanceInformationInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		infos = append(infos, out.InstanceInformationList...)
	}
	for _, in := range infos {
		id := aws.ToString(in.InstanceId)
		if in.ResourceType != ssmtypes.ResourceTypeEc2Instance && !strings.HasPrefix(id, "i-") {
			continue // hybrid nodes (mi-) are not EC2 instances
		}
		content := map[string]any{"InstanceId": id, "AgentType": "amazon-ssm-agent", "AgentVersion": aws.ToString(in.AgentVersion),
			"ComputerName": aws.ToString(in.ComputerName), "IpAddress": aws.ToString(in.IPAddress), "PlatformName": aws.ToString(in.PlatformName),
			"PlatformType": string(in.PlatformType), "PlatformVersion": aws.ToString(in.PlatformVersion), "ResourceType": string(in.ResourceType)}
		conf, err := json.Marshal(map[string]any{"AWS:InstanceInformation": map[string]any{"SchemaVersion": "1.0", "Content": map[string]any{id: content}}})
		if err != nil {
			return err
		}
		r.add(Item{ARN: r.arn("ssm", r.region, "managed-instance-inventory/"+id), ResourceType: "AWS::SSM::ManagedInstanceInventory",
			ResourceID: id, Configuration: conf})
	}
	type summary struct{ instance, kind string }
	var sums []summary
	sp := ssm.NewListResourceComplianceSummariesPaginator(c, &ssm.ListResourceComplianceSummariesInput{})
	for sp.HasMorePages() {
		out, err := sp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range out.ResourceComplianceSummaryItems {
			if _, ok := ssmComplianceTypes[aws.ToString(s.ComplianceType)]; ok && aws.ToString(s.ResourceType) == "ManagedInstance" {
				sums = append(sums, summary{aws.ToString(s.ResourceId), aws.ToString(s.ComplianceType)})
			}
		}
	}
	err := r.each(ctx, len(sums), func(ctx context.Context, i int) error {
		s := sums[i]
		entries := map[string]any{}
		ip := ssm.NewListComplianceItemsPaginator(c, &ssm.ListComplianceItemsInput{ResourceIds: []string{s.instance}, ResourceTypes: []string{"ManagedInstance"},
			Filters: []ssmtypes.ComplianceStringFilter{{Key: aws.String("ComplianceType"), Values: []string{s.kind}, Type: ssmtypes.ComplianceQueryOperatorTypeEqual}}})
		for ip.HasMorePages() {
			out, err := ip.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, ci := range out.ComplianceItems {
				if aws.ToString(ci.ComplianceType) != s.kind { // filter again: emulators may ignore filters
					continue
				}
				e := map[string]any{"Id": aws.ToString(ci.Id), "Title": aws.ToString(ci.Title), "Status": string(ci.Status), "Severity": string(ci.Severity)}
				if x := ci.ExecutionSummary; x != nil {
					e["ExecutionId"], e["ExecutionType"], e["ExecutionTime"] = aws.ToString(x.ExecutionId), aws.ToString(x.ExecutionType), timeString(x.ExecutionTime)
				}
				for k, v := range ci.Details {
					e[k] = v
				}
				entries[aws.ToString(ci.Id)] = e
			}
		}
		conf, err := json.Marshal(map[string]any{"AWS:ComplianceItem": map[string]any{"SchemaVersion": "1.0", "ComplianceType": s.kind,
			"Content": map[string]any{s.kind: entries}}})
		if err != nil {
			return err
		}
		r.add(Item{ARN: r.arn("ssm", r.region, strings.ToLower(s.kind)+"-compliance/"+s.instance), ResourceType: ssmComplianceTypes[s.kind],
			ResourceID: s.instance, ResourceName: "AWS:ComplianceItem", Configuration: conf})
		return nil
	})
	if err != nil {
		return err
	}
	r.fact("ssm.InstanceInformationList", infos)
	return nil
}
