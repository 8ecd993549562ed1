package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	nftypes "github.com/aws/aws-sdk-go-v2/service/networkfirewall/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestNetworkFirewalls seeds two firewalls in moto, one in two subnets that sends alert
// logs to S3 and one in a single subnet that logs nothing, and checks their CIs (a
// firewall item and a logging item each, named by the firewall) and what
// NETFW_MULTI_AZ_ENABLED and NETFW_LOGGING_ENABLED (any type, and flow) conclude.
func TestNetworkFirewalls(t *testing.T) {
	m := mototest.Shared(t)
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

// TestFirewallPolicies collects firewall policies and rule groups from recorded
// responses: moto lacks ListFirewallPolicies, DescribeFirewallPolicy, ListRuleGroups and
// DescribeRuleGroup, so an httptest server answers them with AWS's documented JSON
// shapes (the lists in two pages) and forwards every other request to moto. It checks
// the CIs and the four policy and rule group rules on them.
func TestFirewallPolicies(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	const account, region = "123456789012", mototest.Region
	arn := "arn:aws:network-firewall:" + region + ":" + account + ":"
	policy := func(name, full, frag, groups string) string {
		return `{"UpdateToken":"t","FirewallPolicyResponse":{"FirewallPolicyName":"` + name + `","FirewallPolicyArn":"` + arn + `firewall-policy/` + name +
			`","FirewallPolicyId":"id-` + name + `","Tags":[{"Key":"team","Value":"net"}]},"FirewallPolicy":{"StatelessDefaultActions":["` + full +
			`"],"StatelessFragmentDefaultActions":["` + frag + `"],"StatelessRuleGroupReferences":[` + groups + `]}}`
	}
	group := func(name string, rules int) string {
		var rs []string
		for i := range rules {
			rs = append(rs, `{"Priority":`+strconv.Itoa(i+1)+`,"RuleDefinition":{"Actions":["aws:drop"],"MatchAttributes":{"Sources":[{"AddressDefinition":"0.0.0.0/0"}]}}}`)
		}
		return `{"UpdateToken":"t","RuleGroupResponse":{"RuleGroupName":"` + name + `","RuleGroupArn":"` + arn + `stateless-rulegroup/` + name +
			`","RuleGroupId":"id-` + name + `","Type":"STATELESS","Capacity":10},"RuleGroup":{"RulesSource":{"StatelessRulesAndCustomActions":{"StatelessRules":[` +
			strings.Join(rs, ",") + `]}}}}`
	}
	responses := map[string]func(body map[string]string) string{
		"ListFirewallPolicies": func(b map[string]string) string {
			if b["NextToken"] == "" {
				return `{"FirewallPolicies":[{"Name":"strict","Arn":"` + arn + `firewall-policy/strict"}],"NextToken":"2"}`
			}
			return `{"FirewallPolicies":[{"Name":"open","Arn":"` + arn + `firewall-policy/open"}]}`
		},
		"DescribeFirewallPolicy": func(b map[string]string) string {
			if strings.HasSuffix(b["FirewallPolicyArn"], "/strict") {
				return policy("strict", "aws:forward_to_sfe", "aws:drop", `{"ResourceArn":"`+arn+`stateless-rulegroup/full","Priority":1}`)
			}
			return policy("open", "aws:pass", "aws:pass", "")
		},
		"ListRuleGroups": func(map[string]string) string {
			return `{"RuleGroups":[{"Name":"full","Arn":"` + arn + `stateless-rulegroup/full"},{"Name":"empty","Arn":"` + arn + `stateless-rulegroup/empty"}]}`
		},
		"DescribeRuleGroup": func(b map[string]string) string {
			if strings.HasSuffix(b["RuleGroupArn"], "/full") {
				return group("full", 2)
			}
			return group("empty", 0)
		},
	}
	cfg := recorded(t, m, func(c recordedCall) (int, string, bool) {
		answer := responses[strings.TrimPrefix(c.Op, "NetworkFirewall_20201112.")]
		if answer == nil {
			return 0, "", false
		}
		var body map[string]string
		_ = json.Unmarshal(c.Body, &body)
		return http.StatusOK, answer(body), true
	}, "NetworkFirewall_20201112.ListFirewallPolicies", "NetworkFirewall_20201112.ListRuleGroups")
	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	dec := ci.NewDecoder(&buf)
	var items []*ci.Item
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		if strings.HasPrefix(it.ResourceType, "AWS::NetworkFirewall::") {
			items = append(items, it)
		}
	}
	for _, it := range items {
		if it.ARN != arn+map[string]string{"AWS::NetworkFirewall::FirewallPolicy": "firewall-policy/", "AWS::NetworkFirewall::RuleGroup": "stateless-rulegroup/"}[it.ResourceType]+it.ResourceID {
			t.Errorf("%s %s: ARN %s", it.ResourceType, it.ResourceID, it.ARN)
		}
	}
	evalAllParams(t, items, map[string]map[string]string{
		"NETFW_POLICY_DEFAULT_ACTION_FULL_PACKETS":     {"statelessDefaultActions": "aws:drop,aws:forward_to_sfe"},
		"NETFW_POLICY_DEFAULT_ACTION_FRAGMENT_PACKETS": {"statelessFragmentDefaultActions": "aws:drop,aws:forward_to_sfe"},
	}, map[string]map[string]string{
		"NETFW_POLICY_DEFAULT_ACTION_FULL_PACKETS":     {"strict": "COMPLIANT", "open": "NON_COMPLIANT", "full": "-", "empty": "-"},
		"NETFW_POLICY_DEFAULT_ACTION_FRAGMENT_PACKETS": {"strict": "COMPLIANT", "open": "NON_COMPLIANT", "full": "-", "empty": "-"},
		"NETFW_POLICY_RULE_GROUP_ASSOCIATED":           {"strict": "COMPLIANT", "open": "NON_COMPLIANT", "full": "-", "empty": "-"},
		"NETFW_STATELESS_RULE_GROUP_NOT_EMPTY":         {"strict": "-", "open": "-", "full": "COMPLIANT", "empty": "NON_COMPLIANT"},
	})
}
