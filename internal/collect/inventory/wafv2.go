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
		err := collectWAFv2(ctx, r, c, scope, "AWS::WAFv2::WebACL", func(ctx context.Context, m *string) ([]waftypes.WebACLSummary, *string, error) {
			out, err := c.ListWebACLs(ctx, &wafv2.ListWebACLsInput{Scope: scope, Limit: aws.Int32(100), NextMarker: m})
			if err != nil {
				return nil, nil, err
			}
			return out.WebACLs, out.NextMarker, nil
		}, func(s waftypes.WebACLSummary) (*string, *string, *string) { return s.Id, s.Name, s.ARN },
			func(ctx context.Context, id, name *string) (any, *string, *string, error) {
				out, err := c.GetWebACL(ctx, &wafv2.GetWebACLInput{Id: id, Name: name, Scope: scope})
				if err != nil {
					return nil, nil, nil, err
				}
				return out.WebACL, out.WebACL.ARN, out.WebACL.Name, nil
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

// collectWAFv2 records the WAFv2 resources of one kind (resourceType) in scope, as
// collectWebACLs records web ACLs, the resource's ARN as resource id: list returns a
// page of summaries and the next marker (nil, "" or an empty page ending the listing),
// key a summary's id, name and ARN, and get the resource (an SDK structure, its
// configuration with CloudFormation's names: Arn, and Scope added), its ARN and name. A
// resource deleted between the listing and get (WAFNonexistentItemException) is left out.
func collectWAFv2[S any](ctx context.Context, r *run, c *wafv2.Client, scope waftypes.Scope, resourceType string,
	list func(ctx context.Context, marker *string) ([]S, *string, error), key func(S) (id, name, arn *string),
	get func(ctx context.Context, id, name *string) (res any, resARN, resName *string, err error)) error {
	var all []S
	var marker *string
	for {
		page, next, err := list(ctx, marker)
		if err != nil {
			return err
		}
		all = append(all, page...)
		if aws.ToString(next) == "" || len(page) == 0 {
			break
		}
		marker = next
	}
	return r.each(ctx, len(all), func(ctx context.Context, i int) error {
		id, name, arn := key(all[i])
		res, resARN, resName, err := get(ctx, id, name)
		if errorCode(err) == "WAFNonexistentItemException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		tags, err := c.ListTagsForResource(ctx, &wafv2.ListTagsForResourceInput{ResourceARN: arn})
		if err != nil {
			return err
		}
		var tagList []waftypes.Tag
		if tags.TagInfoForResource != nil {
			tagList = tags.TagInfoForResource.TagList
		}
		conf, err := wafJSON(res, map[string]string{"ARN": "Arn"}, map[string]any{"Scope": scope})
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(resARN), ResourceType: resourceType, ResourceID: aws.ToString(resARN), ResourceName: aws.ToString(resName),
			Zone: "Regional", Tags: tagMap(tagList, func(t waftypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf})
		return nil
	})
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
