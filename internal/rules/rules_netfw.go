package rules

import (
	"strconv"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// AWS Network Firewall's resource types. AWS Config records each as its describe call
// answers it, members in camel case: a firewall policy as {firewallPolicy,
// firewallPolicyResponse}, a firewall as {firewall, firewallStatus}, a rule group as
// {ruleGroup, ruleGroupResponse}, and a firewall's logging as {firewallArn,
// loggingConfiguration}.
const (
	netfwFirewall = "AWS::NetworkFirewall::Firewall"
	netfwPolicy   = "AWS::NetworkFirewall::FirewallPolicy"
	netfwGroup    = "AWS::NetworkFirewall::RuleGroup"
	netfwLogging  = "AWS::NetworkFirewall::LoggingConfiguration"
)

// netfwStandardActions are the stateless default actions a policy must name one of;
// the rest of its list are custom actions.
var netfwStandardActions = []string{"aws:pass", "aws:drop", "aws:forward_to_sfe"}

type netfwPolicyConfig struct {
	FirewallPolicy struct {
		StatelessDefaultActions         []string `json:"statelessDefaultActions"`
		StatelessFragmentDefaultActions []string `json:"statelessFragmentDefaultActions"`
		StatelessRuleGroupReferences    []json0  `json:"statelessRuleGroupReferences"`
		StatefulRuleGroupReferences     []json0  `json:"statefulRuleGroupReferences"`
	} `json:"firewallPolicy"`
}

// json0 is a list member whose content does not matter, only that it is there.
type json0 struct{}

// netfwDefaultAction judges a policy's stateless default actions (full packets or
// fragments) against the parameter's allowed actions: the policy's standard action must
// be one of them.
func netfwDefaultAction(param string, actions func(*netfwPolicyConfig) []string, what string) func(Args, *ci.Item, Env) (Compliance, string, error) {
	return func(a Args, it *ci.Item, _ Env) (Compliance, string, error) {
		p, err := cfg[netfwPolicyConfig](it)
		if err != nil {
			return "", "", err
		}
		allowed := a.List(param)
		var standard string
		for _, act := range actions(p) {
			if inList(netfwStandardActions, strings.ToLower(act)) {
				standard = strings.ToLower(act)
				break
			}
		}
		switch {
		case standard == "":
			return NonCompliant, "The policy names no standard stateless default action for " + what + ".", nil
		case !inList(lower(allowed), standard):
			return NonCompliant, "The policy's stateless default action for " + what + " is " + standard + ", not one of " + strings.Join(allowed, ", ") + ".", nil
		}
		return Compliant, "", nil
	}
}

var netfwRules = []*Rule{
	{
		ID:          "NETFW_POLICY_DEFAULT_ACTION_FULL_PACKETS",
		Description: "Network Firewall policies' stateless default action for full packets is one of statelessDefaultActions (aws:pass, aws:drop, aws:forward_to_sfe).",
		Scope:       []string{netfwPolicy},
		Params:      []Param{{Name: "statelessDefaultActions", Type: CSV, Required: true}},
		Item: netfwDefaultAction("statelessDefaultActions", func(p *netfwPolicyConfig) []string {
			return p.FirewallPolicy.StatelessDefaultActions
		}, "full packets"),
	},
	{
		ID:          "NETFW_POLICY_DEFAULT_ACTION_FRAGMENT_PACKETS",
		Description: "Network Firewall policies' stateless default action for fragmented packets is one of statelessFragmentDefaultActions (aws:pass, aws:drop, aws:forward_to_sfe).",
		Scope:       []string{netfwPolicy},
		Params:      []Param{{Name: "statelessFragmentDefaultActions", Type: CSV, Required: true}},
		Item: netfwDefaultAction("statelessFragmentDefaultActions", func(p *netfwPolicyConfig) []string {
			return p.FirewallPolicy.StatelessFragmentDefaultActions
		}, "fragmented packets"),
	},
	{
		ID:          "NETFW_POLICY_RULE_GROUP_ASSOCIATED",
		Description: "Network Firewall policies reference at least one stateless or stateful rule group.",
		Scope:       []string{netfwPolicy},
		Item: func(_ Args, it *ci.Item, _ Env) (Compliance, string, error) {
			p, err := cfg[netfwPolicyConfig](it)
			if err != nil {
				return "", "", err
			}
			n := len(p.FirewallPolicy.StatelessRuleGroupReferences) + len(p.FirewallPolicy.StatefulRuleGroupReferences)
			return verdict(n > 0, "The policy references no rule group.")
		},
	},
	{
		ID:          "NETFW_STATELESS_RULE_GROUP_NOT_EMPTY",
		Description: "Stateless Network Firewall rule groups hold at least one rule; stateful rule groups are NOT_APPLICABLE.",
		Scope:       []string{netfwGroup},
		Item: func(_ Args, it *ci.Item, _ Env) (Compliance, string, error) {
			g, err := cfg[struct {
				RuleGroup struct {
					RulesSource struct {
						StatelessRulesAndCustomActions struct {
							StatelessRules []json0 `json:"statelessRules"`
						} `json:"statelessRulesAndCustomActions"`
					} `json:"rulesSource"`
				} `json:"ruleGroup"`
				RuleGroupResponse struct {
					Type string `json:"type"`
				} `json:"ruleGroupResponse"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if !strings.EqualFold(g.RuleGroupResponse.Type, "STATELESS") {
				return na("The rule group is not stateless.")
			}
			return verdict(len(g.RuleGroup.RulesSource.StatelessRulesAndCustomActions.StatelessRules) > 0, "The stateless rule group has no rules.")
		},
	},
	{
		ID:          "NETFW_MULTI_AZ_ENABLED",
		Description: "Network Firewall firewalls have endpoints in at least availabilityZones Availability Zones (default 2).",
		Scope:       []string{netfwFirewall},
		Params:      []Param{{Name: "availabilityZones", Type: Int}},
		Item: func(a Args, it *ci.Item, _ Env) (Compliance, string, error) {
			f, err := cfg[struct {
				Firewall struct {
					SubnetMappings []struct {
						SubnetID string `json:"subnetId"`
					} `json:"subnetMappings"`
				} `json:"firewall"`
				FirewallStatus struct {
					SyncStates map[string]json0 `json:"syncStates"`
				} `json:"firewallStatus"`
			}](it)
			if err != nil {
				return "", "", err
			}
			want := 2
			if a.Set("availabilityZones") {
				want = a.Int("availabilityZones")
			}
			// syncStates is keyed by Availability Zone; without it (a firewall still being
			// made) each subnet mapping is one zone at most.
			zones := len(f.FirewallStatus.SyncStates)
			if zones == 0 {
				zones = len(f.Firewall.SubnetMappings)
			}
			return verdict(zones >= want, "The firewall is in "+strconv.Itoa(zones)+" Availability Zone(s), fewer than "+strconv.Itoa(want)+".")
		},
	},
	{
		ID:          "NETFW_LOGGING_ENABLED",
		Description: "Network Firewall firewalls send logs to a destination: alert logs, flow logs, or both (logType alert, flow or both); any log type when logType is not set.",
		Scope:       []string{netfwLogging},
		Params:      []Param{{Name: "logType", Type: String}},
		CheckParams: oneOf("logType", "alert", "flow", "both"),
		Item: func(a Args, it *ci.Item, _ Env) (Compliance, string, error) {
			l, err := cfg[struct {
				LoggingConfiguration struct {
					LogDestinationConfigs []struct {
						LogType string `json:"logType"`
					} `json:"logDestinationConfigs"`
				} `json:"loggingConfiguration"`
			}](it)
			if err != nil {
				return "", "", err
			}
			var types []string
			for _, d := range l.LoggingConfiguration.LogDestinationConfigs {
				types = append(types, strings.ToLower(d.LogType))
			}
			var need []string
			switch want := strings.ToLower(a.Str("logType")); want {
			case "":
				return verdict(len(types) > 0, "The firewall sends no logs.")
			case "both":
				need = []string{"alert", "flow"}
			default: // alert or flow, as CheckParams keeps it
				need = []string{want}
			}
			var missing []string
			for _, t := range need {
				if !inList(types, t) {
					missing = append(missing, strings.ToUpper(t))
				}
			}
			return verdict(len(missing) == 0, "The firewall does not send "+strings.Join(missing, " or ")+" logs.")
		},
	},
}
