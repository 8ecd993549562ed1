package inventory_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	nftypes "github.com/aws/aws-sdk-go-v2/service/networkfirewall/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestNetworkFirewalls seeds two firewalls in moto, one in two subnets that sends alert
// logs to S3 and one in a single subnet that logs nothing, and checks their CIs (a
// firewall item and a logging item each, named by the firewall) and what
// NETFW_MULTI_AZ_ENABLED and NETFW_LOGGING_ENABLED (any type, and flow) conclude.
func TestNetworkFirewalls(t *testing.T) {
	m := mototest.Start(t)
	ctx := context.Background()
	const account, region = "123456789012", mototest.Region
	c := networkfirewall.NewFromConfig(m.Config())
	policy := "arn:aws:network-firewall:" + region + ":" + account + ":firewall-policy/p"
	create := func(name string, subnets ...string) string {
		var maps []nftypes.SubnetMapping
		for _, s := range subnets {
			maps = append(maps, nftypes.SubnetMapping{SubnetId: aws.String(s)})
		}
		out, err := c.CreateFirewall(ctx, &networkfirewall.CreateFirewallInput{FirewallName: aws.String(name), FirewallPolicyArn: aws.String(policy),
			VpcId: aws.String("vpc-1"), SubnetMappings: maps, Tags: []nftypes.Tag{{Key: aws.String("team"), Value: aws.String(name)}}})
		must(t, err)
		return aws.ToString(out.Firewall.FirewallArn)
	}
	logged := create("logged", "subnet-a", "subnet-b")
	create("quiet", "subnet-c")
	_, err := c.UpdateLoggingConfiguration(ctx, &networkfirewall.UpdateLoggingConfigurationInput{FirewallArn: aws.String(logged),
		LoggingConfiguration: &nftypes.LoggingConfiguration{LogDestinationConfigs: []nftypes.LogDestinationConfig{{
			LogType: nftypes.LogTypeAlert, LogDestinationType: nftypes.LogDestinationTypeS3, LogDestination: map[string]string{"bucketName": "fw-logs"}}}}})
	must(t, err)

	type item struct {
		ARN, Name, Team string
		Keys            []string
		Results         map[string]string
	}
	checks := map[string]*rules.Check{}
	for name, b := range map[string]struct {
		rule   string
		params map[string]string
	}{
		"NETFW_MULTI_AZ_ENABLED":     {"NETFW_MULTI_AZ_ENABLED", nil},
		"NETFW_LOGGING_ENABLED":      {"NETFW_LOGGING_ENABLED", nil},
		"NETFW_LOGGING_ENABLED flow": {"NETFW_LOGGING_ENABLED", map[string]string{"logType": "flow"}},
	} {
		rule, err := rules.Get(b.rule)
		must(t, err)
		check, err := rule.Bind(b.params)
		must(t, err)
		checks[name] = check
	}
	got := map[string]item{}
	for _, it := range snapshotItems(t, m, account, region) {
		if it.ResourceType != "AWS::NetworkFirewall::Firewall" && it.ResourceType != "AWS::NetworkFirewall::LoggingConfiguration" {
			continue
		}
		results := map[string]string{}
		for id, check := range checks {
			res, err := check.EvaluateItem(it, rules.Env{})
			must(t, err)
			if res.ComplianceType != rules.NotApplicable {
				results[id] = string(res.ComplianceType)
			}
		}
		got[strings.TrimPrefix(it.ResourceType, "AWS::NetworkFirewall::")+" "+it.ResourceID] = item{it.ARN, it.ResourceName, it.Tags["team"], configKeys(t, it.Configuration), results}
	}
	arn := "arn:aws:network-firewall:" + region + ":" + account + ":firewall/"
	want := map[string]item{
		"Firewall logged": {arn + "logged", "logged", "logged", []string{"firewall", "firewallStatus", "updateToken"},
			map[string]string{"NETFW_MULTI_AZ_ENABLED": "COMPLIANT"}},
		"Firewall quiet": {arn + "quiet", "quiet", "quiet", []string{"firewall", "firewallStatus", "updateToken"},
			map[string]string{"NETFW_MULTI_AZ_ENABLED": "NON_COMPLIANT"}},
		"LoggingConfiguration logged": {arn + "logged", "logged", "", []string{"firewallArn", "loggingConfiguration"},
			map[string]string{"NETFW_LOGGING_ENABLED": "COMPLIANT", "NETFW_LOGGING_ENABLED flow": "NON_COMPLIANT"}},
		"LoggingConfiguration quiet": {arn + "quiet", "quiet", "", []string{"firewallArn", "loggingConfiguration"},
			map[string]string{"NETFW_LOGGING_ENABLED": "NON_COMPLIANT", "NETFW_LOGGING_ENABLED flow": "NON_COMPLIANT"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("network firewall items (-want +got):\n%s", d)
	}
}
