package rules

import (
	"github.com/probity-dev/probity/internal/ci"
)

// WAF Classic resource types: global (CloudFront) ones in AWS::WAF, regional ones in
// AWS::WAFRegional.
const (
	wafClassicWebACL    = "AWS::WAF::WebACL"
	wafClassicRule      = "AWS::WAF::Rule"
	wafClassicRuleGroup = "AWS::WAF::RuleGroup"
	wafRegionalWebACL   = "AWS::WAFRegional::WebACL"
	wafRegionalRule     = "AWS::WAFRegional::Rule"
	wafRegionalGroup    = "AWS::WAFRegional::RuleGroup"
)

// wafClassicConfig is the part of a WAF Classic web ACL, rule or rule group CI the rules
// read (GetWebACL's WebACL, GetRule's Rule, GetRuleGroup's RuleGroup camel-cased, a rule
// group with ListActivatedRulesInRuleGroup's activatedRules).
type wafClassicConfig struct {
	Rules          []struct{} `json:"rules"`
	Predicates     []struct{} `json:"predicates"`
	ActivatedRules []struct{} `json:"activatedRules"`
}

// wafNotEmpty builds a rule that a WAF Classic resource of resourceType holds at least
// one of what count counts.
func wafNotEmpty(id, resourceType, desc, empty string, count func(c *wafClassicConfig) int) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{resourceType},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[wafClassicConfig](it)
			if err != nil {
				return "", "", err
			}
			return verdict(count(c) > 0, empty)
		}}
}

func webACLRules(c *wafClassicConfig) int    { return len(c.Rules) }
func rulePredicates(c *wafClassicConfig) int { return len(c.Predicates) }
func groupRules(c *wafClassicConfig) int     { return len(c.ActivatedRules) }

var wafClassicRules = []*Rule{
	wafNotEmpty("WAF_GLOBAL_WEBACL_NOT_EMPTY", wafClassicWebACL,
		"WAF Classic global web ACLs contain at least one rule or rule group (rules).", "The web ACL contains no rule or rule group.", webACLRules),
	wafNotEmpty("WAF_GLOBAL_RULE_NOT_EMPTY", wafClassicRule,
		"WAF Classic global rules contain at least one condition (predicates).", "The rule contains no condition.", rulePredicates),
	wafNotEmpty("WAF_GLOBAL_RULEGROUP_NOT_EMPTY", wafClassicRuleGroup,
		"WAF Classic global rule groups contain at least one rule (activatedRules).", "The rule group contains no rule.", groupRules),
	wafNotEmpty("WAF_REGIONAL_WEBACL_NOT_EMPTY", wafRegionalWebACL,
		"WAF Classic regional web ACLs contain at least one rule or rule group (rules).", "The web ACL contains no rule or rule group.", webACLRules),
	wafNotEmpty("WAF_REGIONAL_RULE_NOT_EMPTY", wafRegionalRule,
		"WAF Classic regional rules contain at least one condition (predicates).", "The rule contains no condition.", rulePredicates),
	wafNotEmpty("WAF_REGIONAL_RULEGROUP_NOT_EMPTY", wafRegionalGroup,
		"WAF Classic regional rule groups contain at least one rule (activatedRules).", "The rule group contains no rule.", groupRules),
	{
		ID: "WAF_CLASSIC_LOGGING_ENABLED",
		Description: "WAF Classic global web ACLs log (supplementaryConfiguration LoggingConfiguration, GetLoggingConfiguration's, null when none), " +
			"to destinations all in KinesisFirehoseDeliveryStreamArns when given; a web ACL whose item does not record its logging is NOT_APPLICABLE.",
		Scope:  []string{wafClassicWebACL},
		Params: []Param{{Name: "KinesisFirehoseDeliveryStreamArns", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			if _, ok := it.Supplementary["LoggingConfiguration"]; !ok {
				return na("The item does not record the web ACL's logging (supplementaryConfiguration LoggingConfiguration).")
			}
			var lc struct {
				LogDestinationConfigs []string `json:"logDestinationConfigs"`
			}
			ok, err := it.DecodeSupplementary("LoggingConfiguration", &lc)
			switch {
			case err != nil:
				return "", "", err
			case !ok || len(lc.LogDestinationConfigs) == 0:
				return NonCompliant, "The web ACL does not log.", nil
			}
			if a.Set("KinesisFirehoseDeliveryStreamArns") {
				for _, d := range lc.LogDestinationConfigs {
					if !inList(a.List("KinesisFirehoseDeliveryStreamArns"), d) {
						return NonCompliant, "The web ACL logs to " + d + ", which is not in KinesisFirehoseDeliveryStreamArns.", nil
					}
				}
			}
			return Compliant, "", nil
		},
	},
}
