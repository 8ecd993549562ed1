package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/waf"
	waftypes "github.com/aws/aws-sdk-go-v2/service/waf/types"
	"github.com/aws/aws-sdk-go-v2/service/wafregional"
	wafrtypes "github.com/aws/aws-sdk-go-v2/service/wafregional/types"
)

// wafClassicLimit is the page size of WAF Classic's list calls (their maximum).
const wafClassicLimit = 100

// wafSummary is a listed WAF Classic web ACL, rule or rule group.
type wafSummary struct{ id, name string }

// wafLogging is a WAF Classic logging configuration and the web ACL it is for.
type wafLogging struct {
	resourceArn string
	conf        any
}

// wafClassicAPI is what collectWAFClassic calls of WAF Classic, which the global (waf)
// and regional (wafregional) clients offer under types of their own with the same
// shapes. The list functions return one page and the next marker (nil on the last
// page); the get functions return the resource as the SDK decodes it.
type wafClassicAPI struct {
	typePrefix string // "AWS::WAF::" or "AWS::WAFRegional::"
	arnService string // "waf" or "waf-regional"
	arnRegion  string // "" for global resources
	itemRegion string // the CI's awsRegion
	zone       string // the CI's availabilityZone

	webACLs, rules, ruleGroups func(ctx context.Context, marker *string) ([]wafSummary, *string, error)
	webACL, rule, ruleGroup    func(ctx context.Context, id string) (any, error)
	activatedRules             func(ctx context.Context, groupID string, marker *string) ([]any, *string, error)
	logging                    func(ctx context.Context, marker *string) ([]wafLogging, *string, error)
	tags                       func(ctx context.Context, arn string) (map[string]string, error)
}

// collectWAFGlobal records WAF Classic global (CloudFront) web ACLs, rules and rule
// groups (AWS::WAF::WebACL, AWS::WAF::Rule, AWS::WAF::RuleGroup; global resources, only
// in the Global snapshot, awsRegion "global"): see collectWAFClassic.
func collectWAFGlobal(ctx context.Context, r *run) error {
	c := waf.NewFromConfig(r.cfg)
	return collectWAFClassic(ctx, r, wafClassicAPI{
		typePrefix: "AWS::WAF::", arnService: "waf", itemRegion: "global", zone: "Not Applicable",
		webACLs: func(ctx context.Context, m *string) ([]wafSummary, *string, error) {
			out, err := c.ListWebACLs(ctx, &waf.ListWebACLsInput{Limit: wafClassicLimit, NextMarker: m})
			if err != nil {
				return nil, nil, err
			}
			return summaries(out.WebACLs, func(s waftypes.WebACLSummary) (*string, *string) { return s.WebACLId, s.Name }), out.NextMarker, nil
		},
		rules: func(ctx context.Context, m *string) ([]wafSummary, *string, error) {
			out, err := c.ListRules(ctx, &waf.ListRulesInput{Limit: wafClassicLimit, NextMarker: m})
			if err != nil {
				return nil, nil, err
			}
			return summaries(out.Rules, func(s waftypes.RuleSummary) (*string, *string) { return s.RuleId, s.Name }), out.NextMarker, nil
		},
		ruleGroups: func(ctx context.Context, m *string) ([]wafSummary, *string, error) {
			out, err := c.ListRuleGroups(ctx, &waf.ListRuleGroupsInput{Limit: wafClassicLimit, NextMarker: m})
			if err != nil {
				return nil, nil, err
			}
			return summaries(out.RuleGroups, func(s waftypes.RuleGroupSummary) (*string, *string) { return s.RuleGroupId, s.Name }), out.NextMarker, nil
		},
		webACL: func(ctx context.Context, id string) (any, error) {
			out, err := c.GetWebACL(ctx, &waf.GetWebACLInput{WebACLId: aws.String(id)})
			if err != nil {
				return nil, err
			}
			if out.WebACL != nil {
				out.WebACL.Rules = nonNil(out.WebACL.Rules)
			}
			return out.WebACL, nil
		},
		rule: func(ctx context.Context, id string) (any, error) {
			out, err := c.GetRule(ctx, &waf.GetRuleInput{RuleId: aws.String(id)})
			if err != nil {
				return nil, err
			}
			if out.Rule != nil {
				out.Rule.Predicates = nonNil(out.Rule.Predicates)
			}
			return out.Rule, nil
		},
		ruleGroup: func(ctx context.Context, id string) (any, error) {
			out, err := c.GetRuleGroup(ctx, &waf.GetRuleGroupInput{RuleGroupId: aws.String(id)})
			if err != nil {
				return nil, err
			}
			return out.RuleGroup, nil
		},
		activatedRules: func(ctx context.Context, id string, m *string) ([]any, *string, error) {
			out, err := c.ListActivatedRulesInRuleGroup(ctx, &waf.ListActivatedRulesInRuleGroupInput{RuleGroupId: aws.String(id), Limit: wafClassicLimit, NextMarker: m})
			if err != nil {
				return nil, nil, err
			}
			return anys(out.ActivatedRules), out.NextMarker, nil
		},
		logging: func(ctx context.Context, m *string) ([]wafLogging, *string, error) {
			out, err := c.ListLoggingConfigurations(ctx, &waf.ListLoggingConfigurationsInput{Limit: wafClassicLimit, NextMarker: m})
			if err != nil {
				return nil, nil, err
			}
			var ls []wafLogging
			for _, lc := range out.LoggingConfigurations {
				lc.LogDestinationConfigs, lc.RedactedFields = nonNil(lc.LogDestinationConfigs), nonNil(lc.RedactedFields)
				ls = append(ls, wafLogging{aws.ToString(lc.ResourceArn), lc})
			}
			return ls, out.NextMarker, nil
		},
		tags: func(ctx context.Context, arn string) (map[string]string, error) {
			out, err := c.ListTagsForResource(ctx, &waf.ListTagsForResourceInput{ResourceARN: aws.String(arn), Limit: wafClassicLimit})
			if err != nil || out.TagInfoForResource == nil {
				return nil, err
			}
			return tagMap(out.TagInfoForResource.TagList, func(t waftypes.Tag) (*string, *string) { return t.Key, t.Value }), nil
		},
	})
}

// collectWAFRegional records WAF Classic regional web ACLs, rules and rule groups
// (AWS::WAFRegional::WebACL, AWS::WAFRegional::Rule, AWS::WAFRegional::RuleGroup) of the
// run's region: see collectWAFClassic.
func collectWAFRegional(ctx context.Context, r *run) error {
	c := wafregional.NewFromConfig(r.cfg)
	return collectWAFClassic(ctx, r, wafClassicAPI{
		typePrefix: "AWS::WAFRegional::", arnService: "waf-regional", arnRegion: r.region, itemRegion: r.region, zone: "Regional",
		webACLs: func(ctx context.Context, m *string) ([]wafSummary, *string, error) {
			out, err := c.ListWebACLs(ctx, &wafregional.ListWebACLsInput{Limit: wafClassicLimit, NextMarker: m})
			if err != nil {
				return nil, nil, err
			}
			return summaries(out.WebACLs, func(s wafrtypes.WebACLSummary) (*string, *string) { return s.WebACLId, s.Name }), out.NextMarker, nil
		},
		rules: func(ctx context.Context, m *string) ([]wafSummary, *string, error) {
			out, err := c.ListRules(ctx, &wafregional.ListRulesInput{Limit: wafClassicLimit, NextMarker: m})
			if err != nil {
				return nil, nil, err
			}
			return summaries(out.Rules, func(s wafrtypes.RuleSummary) (*string, *string) { return s.RuleId, s.Name }), out.NextMarker, nil
		},
		ruleGroups: func(ctx context.Context, m *string) ([]wafSummary, *string, error) {
			out, err := c.ListRuleGroups(ctx, &wafregional.ListRuleGroupsInput{Limit: wafClassicLimit, NextMarker: m})
			if err != nil {
				return nil, nil, err
			}
			return summaries(out.RuleGroups, func(s wafrtypes.RuleGroupSummary) (*string, *string) { return s.RuleGroupId, s.Name }), out.NextMarker, nil
		},
		webACL: func(ctx context.Context, id string) (any, error) {
			out, err := c.GetWebACL(ctx, &wafregional.GetWebACLInput{WebACLId: aws.String(id)})
			if err != nil {
				return nil, err
			}
			if out.WebACL != nil {
				out.WebACL.Rules = nonNil(out.WebACL.Rules)
			}
			return out.WebACL, nil
		},
		rule: func(ctx context.Context, id string) (any, error) {
			out, err := c.GetRule(ctx, &wafregional.GetRuleInput{RuleId: aws.String(id)})
			if err != nil {
				return nil, err
			}
			if out.Rule != nil {
				out.Rule.Predicates = nonNil(out.Rule.Predicates)
			}
			return out.Rule, nil
		},
		ruleGroup: func(ctx context.Context, id string) (any, error) {
			out, err := c.GetRuleGroup(ctx, &wafregional.GetRuleGroupInput{RuleGroupId: aws.String(id)})
			if err != nil {
				return nil, err
			}
			return out.RuleGroup, nil
		},
		activatedRules: func(ctx context.Context, id string, m *string) ([]any, *string, error) {
			out, err := c.ListActivatedRulesInRuleGroup(ctx, &wafregional.ListActivatedRulesInRuleGroupInput{RuleGroupId: aws.String(id), Limit: wafClassicLimit, NextMarker: m})
			if err != nil {
				return nil, nil, err
			}
			return anys(out.ActivatedRules), out.NextMarker, nil
		},
		logging: func(ctx context.Context, m *string) ([]wafLogging, *string, error) {
			out, err := c.ListLoggingConfigurations(ctx, &wafregional.ListLoggingConfigurationsInput{Limit: wafClassicLimit, NextMarker: m})
			if err != nil {
				return nil, nil, err
			}
			var ls []wafLogging
			for _, lc := range out.LoggingConfigurations {
				lc.LogDestinationConfigs, lc.RedactedFields = nonNil(lc.LogDestinationConfigs), nonNil(lc.RedactedFields)
				ls = append(ls, wafLogging{aws.ToString(lc.ResourceArn), lc})
			}
			return ls, out.NextMarker, nil
		},
		tags: func(ctx context.Context, arn string) (map[string]string, error) {
			out, err := c.ListTagsForResource(ctx, &wafregional.ListTagsForResourceInput{ResourceARN: aws.String(arn), Limit: wafClassicLimit})
			if err != nil || out.TagInfoForResource == nil {
				return nil, err
			}
			return tagMap(out.TagInfoForResource.TagList, func(t wafrtypes.Tag) (*string, *string) { return t.Key, t.Value }), nil
		},
	})
}

// collectWAFClassic records one WAF Classic API's web ACLs, rules and rule groups as
// AWS Config does: the resource's id as resource id, its name and ARN
// (arn:PARTITION:waf::ACCOUNT:webacl/ID, rule/ID, rulegroup/ID; waf-regional with the
// region), its tags, and as configuration GetWebACL's WebACL (rules), GetRule's Rule
// (predicates) or GetRuleGroup's RuleGroup with ListActivatedRulesInRuleGroup's
// activatedRules, members camel-cased, empty lists kept and null members left out. A web ACL's
// supplementaryConfiguration.LoggingConfiguration is its ListLoggingConfigurations entry
// (resourceArn, logDestinationConfigs, redactedFields), JSON null when it does not log.
// Every list is read to its last page; a resource deleted since it was listed
// (WAFNonexistentItemException) is left out.
func collectWAFClassic(ctx context.Context, r *run, api wafClassicAPI) error {
	acls, err := wafPages(ctx, api.webACLs)
	if err != nil {
		return err
	}
	wafRules, err := wafPages(ctx, api.rules)
	if err != nil {
		return err
	}
	groups, err := wafPages(ctx, api.ruleGroups)
	if err != nil {
		return err
	}
	logs, err := wafPages(ctx, api.logging)
	if err != nil {
		return err
	}
	logging := make(map[string]any, len(logs))
	for _, l := range logs {
		logging[l.resourceArn] = l.conf
	}
	return r.each(ctx, len(acls)+len(wafRules)+len(groups), func(ctx context.Context, i int) error {
		var (
			s        wafSummary
			kind     string // the resource type's last word
			arnKind  string // the ARN's resource type
			resource any
			err      error
		)
		switch {
		case i < len(acls):
			s, kind, arnKind = acls[i], "WebACL", "webacl"
			resource, err = api.webACL(ctx, s.id)
		case i < len(acls)+len(wafRules):
			s, kind, arnKind = wafRules[i-len(acls)], "Rule", "rule"
			resource, err = api.rule(ctx, s.id)
		default:
			s, kind, arnKind = groups[i-len(acls)-len(wafRules)], "RuleGroup", "rulegroup"
			resource, err = api.ruleGroup(ctx, s.id)
		}
		if errorCode(err) == "WAFNonexistentItemException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		m, err := genericObject(resource)
		if err != nil {
			return err
		}
		arn := r.arn(api.arnService, api.arnRegion, arnKind+"/"+s.id)
		if a, ok := m["WebACLArn"].(string); ok && a != "" {
			arn = a
		}
		var supplementary map[string]json.RawMessage
		switch kind {
		case "RuleGroup":
			activated, err := wafPages(ctx, func(ctx context.Context, marker *string) ([]any, *string, error) {
				return api.activatedRules(ctx, s.id, marker)
			})
			if errorCode(err) == "WAFNonexistentItemException" {
				return nil
			}
			if err != nil {
				return err
			}
			m["ActivatedRules"] = nonNil(activated)
		case "WebACL":
			lc, err := classicJSON(logging[arn]) // JSON null when the web ACL does not log
			if err != nil {
				return err
			}
			supplementary = map[string]json.RawMessage{"LoggingConfiguration": lc}
		}
		tags, err := api.tags(ctx, arn)
		if errorCode(err) == "WAFNonexistentItemException" {
			return nil
		}
		if err != nil {
			return err
		}
		conf, err := classicJSON(m)
		if err != nil {
			return err
		}
		name := s.name
		if n, ok := m["Name"].(string); ok && n != "" {
			name = n
		}
		r.add(Item{ARN: arn, ResourceType: api.typePrefix + kind, ResourceID: s.id, ResourceName: name, Region: api.itemRegion,
			Zone: api.zone, Tags: tags, Configuration: conf, Supplementary: supplementary})
		return nil
	})
}

// classicJSON returns v, an SDK structure, as a WAF Classic CI holds it: members
// camel-cased (configJSON), those the API did not return (null) left out.
func classicJSON(v any) (json.RawMessage, error) {
	x, err := genericJSON(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(lowerKeys(withoutNulls(x)))
}

// wafPages calls list from the first page to the last, following WAF Classic's
// NextMarker, and returns what the pages hold. A page that holds nothing ends the list,
// whatever its marker, so that an endpoint repeating a marker cannot loop.
func wafPages[T any](ctx context.Context, list func(ctx context.Context, marker *string) ([]T, *string, error)) ([]T, error) {
	var all []T
	var marker *string
	for {
		page, next, err := list(ctx, marker)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if aws.ToString(next) == "" || len(page) == 0 {
			return all, nil
		}
		marker = next
	}
}

// summaries returns the ids and names of listed WAF Classic resources.
func summaries[T any](list []T, idName func(T) (id, name *string)) []wafSummary {
	out := make([]wafSummary, len(list))
	for i, s := range list {
		id, name := idName(s)
		out[i] = wafSummary{aws.ToString(id), aws.ToString(name)}
	}
	return out
}

// anys returns list as a slice of any.
func anys[T any](list []T) []any {
	out := make([]any, len(list))
	for i, x := range list {
		out[i] = x
	}
	return out
}
