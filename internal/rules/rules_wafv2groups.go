package rules

import (
	"github.com/probity-dev/probity/internal/ci"
)

const wafV2RuleGroup = "AWS::WAFv2::RuleGroup"

// wafVisibility is a WAFv2 VisibilityConfig.
type wafVisibility struct {
	CloudWatchMetricsEnabled bool `json:"CloudWatchMetricsEnabled"`
}

// wafV2Rules is the part of a WAFv2 web ACL or rule group CI the rules read
// (CloudFormation's member names, as the inventory records them).
type wafV2Rules struct {
	Rules []struct {
		Name             string        `json:"Name"`
		VisibilityConfig wafVisibility `json:"VisibilityConfig"`
	} `json:"Rules"`
	VisibilityConfig wafVisibility `json:"VisibilityConfig"`
}

// wafV2NotEmpty builds a rule that a WAFv2 resource of resourceType has rules.
func wafV2NotEmpty(id, resourceType, desc, empty string) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{resourceType},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[wafV2Rules](it)
			if err != nil {
				return "", "", err
			}
			return verdict(len(c.Rules) > 0, empty)
		}}
}

var wafV2GroupRules = []*Rule{
	wafV2NotEmpty("WAFV2_WEBACL_NOT_EMPTY", wafWebACL,
		"WAFv2 web ACLs contain at least one rule or rule group reference (Rules).", "The web ACL contains no rule or rule group."),
	wafV2NotEmpty("WAFV2_RULEGROUP_NOT_EMPTY", wafV2RuleGroup,
		"WAFv2 rule groups contain at least one rule (Rules).", "The rule group contains no rule."),
	{
		ID: "WAFV2_RULEGROUP_LOGGING_ENABLED",
		Description: "WAFv2 rule groups send CloudWatch metrics (VisibilityConfig.CloudWatchMetricsEnabled), the group and each of its rules; " +
			"a rule group without rules is NOT_APPLICABLE.",
		Scope: []string{wafV2RuleGroup},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[wafV2Rules](it)
			if err != nil {
				return "", "", err
			}
			if len(c.Rules) == 0 {
				return na("The rule group contains no rule.")
			}
			if !c.VisibilityConfig.CloudWatchMetricsEnabled {
				return NonCompliant, "The rule group does not send CloudWatch metrics.", nil
			}
			for _, r := range c.Rules {
				if !r.VisibilityConfig.CloudWatchMetricsEnabled {
					return NonCompliant, "The rule " + r.Name + " does not send CloudWatch metrics.", nil
				}
			}
			return Compliant, "", nil
		},
	},
}
