package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	waftypes "github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// collectRuleGroups records WAFv2 rule groups (AWS::WAFv2::RuleGroup, the rule group's
// ARN as resource id) of the scopes the region records (wafScopes) as collectWebACLs
// records web ACLs: GetRuleGroup's RuleGroup with CloudFormation's member names (Name,
// Id, Arn, Capacity, Rules with their VisibilityConfig, VisibilityConfig...) and its
// Scope, and its tags.
func collectRuleGroups(ctx context.Context, r *run) error {
	c := wafv2.NewFromConfig(r.cfg)
	for _, scope := range r.wafScopes() {
		err := collectWAFv2(ctx, r, c, scope, "AWS::WAFv2::RuleGroup", func(ctx context.Context, m *string) ([]waftypes.RuleGroupSummary, *string, error) {
			out, err := c.ListRuleGroups(ctx, &wafv2.ListRuleGroupsInput{Scope: scope, Limit: aws.Int32(100), NextMarker: m})
			if err != nil {
				return nil, nil, err
			}
			return out.RuleGroups, out.NextMarker, nil
		}, func(s waftypes.RuleGroupSummary) (*string, *string, *string) { return s.Id, s.Name, s.ARN },
			func(ctx context.Context, id, name *string) (any, *string, *string, error) {
				out, err := c.GetRuleGroup(ctx, &wafv2.GetRuleGroupInput{Id: id, Name: name, Scope: scope})
				if err != nil {
					return nil, nil, nil, err
				}
				g := out.RuleGroup
				g.Rules = nonNil(g.Rules)
				return g, g.ARN, g.Name, nil
			})
		if err != nil {
			return err
		}
	}
	return nil
}
