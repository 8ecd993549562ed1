package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	nftypes "github.com/aws/aws-sdk-go-v2/service/networkfirewall/types"
)

type nfTag = nftypes.Tag

// collectFirewalls records AWS Network Firewall firewalls (AWS::NetworkFirewall::Firewall)
// and their logging (AWS::NetworkFirewall::LoggingConfiguration), as AWS Config does: the
// describe call's answer with its members in camel case, {firewall, firewallStatus,
// updateToken} and {firewallArn, loggingConfiguration}. Both are named by the firewall's
// name and ARN; a firewall that logs nothing has a logging item with no destinations,
// which NETFW_LOGGING_ENABLED judges.
func collectFirewalls(ctx context.Context, r *run) error {
	c := networkfirewall.NewFromConfig(r.cfg)
	var arns []string
	p := networkfirewall.NewListFirewallsPaginator(c, &networkfirewall.ListFirewallsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, f := range out.Firewalls {
			arns = append(arns, aws.ToString(f.FirewallArn))
		}
	}
	return r.each(ctx, len(arns), func(ctx context.Context, i int) error {
		arn := aws.String(arns[i])
		fw, err := c.DescribeFirewall(ctx, &networkfirewall.DescribeFirewallInput{FirewallArn: arn})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		logging, err := c.DescribeLoggingConfiguration(ctx, &networkfirewall.DescribeLoggingConfigurationInput{FirewallArn: arn})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil
		}
		if err != nil {
			return err
		}
		conf, err := configJSON(struct {
			Firewall       any
			FirewallStatus any
			UpdateToken    *string
		}{fw.Firewall, fw.FirewallStatus, fw.UpdateToken})
		if err != nil {
			return err
		}
		logConf, err := configJSON(struct {
			FirewallArn          *string
			LoggingConfiguration any
		}{arn, loggingOrEmpty(logging)})
		if err != nil {
			return err
		}
		var name string
		var tags map[string]string
		if f := fw.Firewall; f != nil {
			name = aws.ToString(f.FirewallName)
			tags = tagMap(f.Tags, func(t nfTag) (*string, *string) { return t.Key, t.Value })
		}
		r.add(Item{ARN: arns[i], ResourceType: "AWS::NetworkFirewall::Firewall", ResourceID: name, ResourceName: name,
			Zone: "Multiple Availability Zones", Tags: tags, Configuration: conf},
			Item{ARN: arns[i], ResourceType: "AWS::NetworkFirewall::LoggingConfiguration", ResourceID: name, ResourceName: name,
				Zone: "Not Applicable", Configuration: logConf})
		return nil
	})
}

// loggingOrEmpty returns the firewall's logging configuration, with an empty list of
// destinations when it has none.
func loggingOrEmpty(out *networkfirewall.DescribeLoggingConfigurationOutput) any {
	if out.LoggingConfiguration != nil && len(out.LoggingConfiguration.LogDestinationConfigs) > 0 {
		return out.LoggingConfiguration
	}
	return map[string]any{"LogDestinationConfigs": []any{}}
}

// collectFirewallPolicies records firewall policies (AWS::NetworkFirewall::FirewallPolicy,
// {firewallPolicy, firewallPolicyResponse, updateToken}) and rule groups
// (AWS::NetworkFirewall::RuleGroup, {ruleGroup, ruleGroupResponse, updateToken}), named
// by their names and ARNs, as AWS Config records them.
func collectFirewallPolicies(ctx context.Context, r *run) error {
	c := networkfirewall.NewFromConfig(r.cfg)
	var policies, groups []string
	pp := networkfirewall.NewListFirewallPoliciesPaginator(c, &networkfirewall.ListFirewallPoliciesInput{})
	for pp.HasMorePages() {
		out, err := pp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, p := range out.FirewallPolicies {
			policies = append(policies, aws.ToString(p.Arn))
		}
	}
	gp := networkfirewall.NewListRuleGroupsPaginator(c, &networkfirewall.ListRuleGroupsInput{})
	for gp.HasMorePages() {
		out, err := gp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, g := range out.RuleGroups {
			groups = append(groups, aws.ToString(g.Arn))
		}
	}
	return r.each(ctx, len(policies)+len(groups), func(ctx context.Context, i int) error {
		var (
			conf json.RawMessage
			name string
			tags []nfTag
			typ  string
			arn  string
			err  error
		)
		if i < len(policies) {
			arn, typ = policies[i], "AWS::NetworkFirewall::FirewallPolicy"
			out, derr := c.DescribeFirewallPolicy(ctx, &networkfirewall.DescribeFirewallPolicyInput{FirewallPolicyArn: aws.String(arn)})
			if err = derr; err == nil {
				if resp := out.FirewallPolicyResponse; resp != nil {
					name, tags = aws.ToString(resp.FirewallPolicyName), resp.Tags
				}
				conf, err = configJSON(struct {
					FirewallPolicy         any
					FirewallPolicyResponse any
					UpdateToken            *string
				}{out.FirewallPolicy, out.FirewallPolicyResponse, out.UpdateToken})
			}
		} else {
			arn, typ = groups[i-len(policies)], "AWS::NetworkFirewall::RuleGroup"
			out, derr := c.DescribeRuleGroup(ctx, &networkfirewall.DescribeRuleGroupInput{RuleGroupArn: aws.String(arn)})
			if err = derr; err == nil {
				if resp := out.RuleGroupResponse; resp != nil {
					name, tags = aws.ToString(resp.RuleGroupName), resp.Tags
				}
				conf, err = configJSON(struct {
					RuleGroup         any
					RuleGroupResponse any
					UpdateToken       *string
				}{out.RuleGroup, out.RuleGroupResponse, out.UpdateToken})
			}
		}
		if errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		r.add(Item{ARN: arn, ResourceType: typ, ResourceID: name, ResourceName: name, Zone: "Not Applicable",
			Tags: tagMap(tags, func(t nfTag) (*string, *string) { return t.Key, t.Value }), Configuration: conf})
		return nil
	})
}
