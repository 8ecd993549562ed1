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
		var groups []waftypes.RuleGroupSummary
		in := &wafv2.ListRuleGroupsInput{Scope: scope, Limit: aws.Int32(100)}
		for {
			out, err := c.ListRuleGroups(ctx, in)
			if err != nil {
				return err
			}
			groups = append(groups, out.RuleGroups...)
			if aws.ToString(out.NextMarker) == "" || len(out.RuleGroups) == 0 {
				break
			}
			in.NextMarker = out.NextMarker
		}
		err := r.each(ctx, len(groups), func(ctx context.Context, i int) error {
			s := groups[i]
			got, err := c.GetRuleGroup(ctx, &wafv2.GetRuleGroupInput{Id: s.Id, Name: s.Name, Scope: scope})
			if errorCode(err) == "WAFNonexistentItemException" {
				return nil // deleted since it was listed
			}
			if err != nil {
				return err
			}
			tags, err := c.ListTagsForResource(ctx, &wafv2.ListTagsForResourceInput{ResourceARN: s.ARN})
			if err != nil {
				return err
			}
			var tagList []waftypes.Tag
			if tags.TagInfoForResource != nil {
				tagList = tags.TagInfoForResource.TagList
			}
			g := got.RuleGroup
			g.Rules = nonNil(g.Rules)
			conf, err := wafJSON(g, map[string]string{"ARN": "Arn"}, map[string]any{"Scope": scope})
			if err != nil {
				return err
			}
			arn := aws.ToString(g.ARN)
			r.add(Item{ARN: arn, ResourceType: "AWS::WAFv2::RuleGroup", ResourceID: arn, ResourceName: aws.ToString(g.Name),
				Zone: "Regional", Tags: tagMap(tagList, func(t waftypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf})
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
