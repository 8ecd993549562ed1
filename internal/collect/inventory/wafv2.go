package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	waftypes "github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// wafScopes returns the web ACL scopes a snapshot of the run's region records:
// REGIONAL everywhere, and CLOUDFRONT (global web ACLs, which live in us-east-1) in
// us-east-1, where AWS Config records them.
func (r *run) wafScopes() []waftypes.Scope {
	if r.region == "us-east-1" {
		return []waftypes.Scope{waftypes.ScopeRegional, waftypes.ScopeCloudfront}
	}
	return []waftypes.Scope{waftypes.ScopeRegional}
}

// collectWebACLs records AWS WAF (WAFv2) web ACLs and their logging configurations as
// AWS Config does, with CloudFormation's member names:
//   - AWS::WAFv2::WebACL, the web ACL's ARN as resource id: GetWebACL's WebACL (Name, Id,
//     Arn, DefaultAction, Rules, VisibilityConfig, Capacity...) with its Scope, null
//     members left out;
//   - AWS::WAFv2::LoggingConfiguration, the logged web ACL's ARN as resource id:
//     ListLoggingConfigurations' members (ResourceArn, LogDestinationConfigs,
//     LoggingFilter, RedactedFields, ManagedByFirewallManager...).
//
// WAFV2_LOGGING_ENABLED judges a web ACL by its logging configuration item.
func collectWebACLs(ctx context.Context, r *run) error {
	c := wafv2.NewFromConfig(r.cfg)
	for _, scope := range r.wafScopes() {
		var acls []waftypes.WebACLSummary
		in := &wafv2.ListWebACLsInput{Scope: scope, Limit: aws.Int32(100)}
		for {
			out, err := c.ListWebACLs(ctx, in)
			if err != nil {
				return err
			}
			acls = append(acls, out.WebACLs...)
			if aws.ToString(out.NextMarker) == "" || len(out.WebACLs) == 0 {
				break
			}
			in.NextMarker = out.NextMarker
		}
		err := r.each(ctx, len(acls), func(ctx context.Context, i int) error {
			s := acls[i]
			got, err := c.GetWebACL(ctx, &wafv2.GetWebACLInput{Id: s.Id, Name: s.Name, Scope: scope})
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
			acl := got.WebACL
			conf, err := wafJSON(acl, map[string]string{"ARN": "Arn"}, map[string]any{"Scope": scope})
			if err != nil {
				return err
			}
			arn := aws.ToString(acl.ARN)
			r.add(Item{ARN: arn, ResourceType: "AWS::WAFv2::WebACL", ResourceID: arn, ResourceName: aws.ToString(acl.Name),
				Zone: "Regional", Tags: tagMap(tagList, func(t waftypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf})
			return nil
		})
		if err != nil {
			return err
		}
		lin := &wafv2.ListLoggingConfigurationsInput{Scope: scope, Limit: aws.Int32(100)}
		for {
			out, err := c.ListLoggingConfigurations(ctx, lin)
			if err != nil {
				return err
			}
			for _, lc := range out.LoggingConfigurations {
				lc.LogDestinationConfigs = nonNil(lc.LogDestinationConfigs)
				conf, err := wafJSON(lc, nil, nil)
				if err != nil {
					return err
				}
				arn := aws.ToString(lc.ResourceArn)
				r.add(Item{ResourceType: "AWS::WAFv2::LoggingConfiguration", ResourceID: arn, Zone: "Regional", Configuration: conf})
			}
			if aws.ToString(out.NextMarker) == "" || len(out.LoggingConfigurations) == 0 {
				break
			}
			lin.NextMarker = out.NextMarker
		}
	}
	return nil
}

// wafJSON returns v (an SDK structure, whose member names are the API's) with the
// top-level members of rename renamed, those of set added, and what the API did not
// return left out: null members at every depth, and top-level "" (unset enums).
func wafJSON(v any, rename map[string]string, set map[string]any) (json.RawMessage, error) {
	m, err := genericObject(v)
	if err != nil {
		return nil, err
	}
	for k, x := range m {
		if x == "" {
			delete(m, k)
		}
	}
	for from, to := range rename {
		if x, ok := m[from]; ok {
			delete(m, from)
			m[to] = x
		}
	}
	for k, x := range set {
		m[k] = x
	}
	return json.Marshal(withoutNulls(m))
}

// webACLFor returns the WAFv2 web ACL associated with the resource (an Application Load
// Balancer) as AWS Config's supplementaryConfiguration WebACL would hold it: {Arn, Id,
// Name}, or JSON null when none is. When the call is unavailable here it returns nil
// and the error in skipped, so that the caller records the skip and leaves WebACL out.
func webACLFor(ctx context.Context, c *wafv2.Client, resourceARN string) (acl json.RawMessage, skipped, err error) {
	out, err := c.GetWebACLForResource(ctx, &wafv2.GetWebACLForResourceInput{ResourceArn: aws.String(resourceARN)})
	switch {
	case unavailable(err):
		return nil, err, nil
	case err != nil:
		return nil, nil, err
	case out.WebACL == nil:
		return json.RawMessage("null"), nil, nil
	}
	b, err := json.Marshal(map[string]string{"Arn": aws.ToString(out.WebACL.ARN), "Id": aws.ToString(out.WebACL.Id), "Name": aws.ToString(out.WebACL.Name)})
	return b, nil, err
}
