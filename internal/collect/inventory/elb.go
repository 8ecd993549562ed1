package inventory

import (
	"context"
	"encoding/json"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
)

// classicRenames are the members of a Classic Load Balancer's configuration that AWS
// Config spells otherwise than the first-letter rule of configJSON gives.
var classicRenames = map[string]string{"dNSName": "dnsname", "vPCId": "vpcid", "lBCookieStickinessPolicies": "lbcookieStickinessPolicies"}

// collectClassicELB records Classic Load Balancers (AWS::ElasticLoadBalancing::LoadBalancer)
// as AWS Config does: DescribeLoadBalancers as configuration, and in
// supplementaryConfiguration the load balancer's attributes (LoadBalancerAttributes:
// cross-zone balancing, access log, draining, additional attributes), its policies
// (LoadBalancerPolicies) and its tags (Tags, a list of {key, value}).
func collectClassicELB(ctx context.Context, r *run) error {
	c := elb.NewFromConfig(r.cfg)
	var lbs []elbtypes.LoadBalancerDescription
	p := elb.NewDescribeLoadBalancersPaginator(c, &elb.DescribeLoadBalancersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		lbs = append(lbs, out.LoadBalancerDescriptions...)
	}
	return r.each(ctx, len(lbs), func(ctx context.Context, i int) error {
		lb := lbs[i]
		name := lb.LoadBalancerName
		attrs, err := c.DescribeLoadBalancerAttributes(ctx, &elb.DescribeLoadBalancerAttributesInput{LoadBalancerName: name})
		if err != nil {
			return err
		}
		pols, err := c.DescribeLoadBalancerPolicies(ctx, &elb.DescribeLoadBalancerPoliciesInput{LoadBalancerName: name})
		if err != nil {
			return err
		}
		tags, err := c.DescribeTags(ctx, &elb.DescribeTagsInput{LoadBalancerNames: []string{aws.ToString(name)}})
		if err != nil {
			return err
		}
		var tagList []elbtypes.Tag
		for _, d := range tags.TagDescriptions {
			tagList = append(tagList, d.Tags...)
		}
		conf, err := configJSON(lb)
		if err != nil {
			return err
		}
		if conf, err = renameMembers(conf, classicRenames); err != nil {
			return err
		}
		sup := map[string]json.RawMessage{}
		if sup["LoadBalancerAttributes"], err = configJSON(attrs.LoadBalancerAttributes); err != nil {
			return err
		}
		if sup["LoadBalancerPolicies"], err = configJSON(nonNil(pols.PolicyDescriptions)); err != nil {
			return err
		}
		if sup["Tags"], err = configJSON(nonNil(tagList)); err != nil {
			return err
		}
		r.add(Item{ARN: r.arn("elasticloadbalancing", r.region, "loadbalancer/"+aws.ToString(name)), ResourceType: "AWS::ElasticLoadBalancing::LoadBalancer",
			ResourceID: aws.ToString(name), ResourceName: aws.ToString(name), Zone: "Multiple Availability Zones", Created: timeString(lb.CreatedTime),
			Tags: tagMap(tagList, func(t elbtypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf, Supplementary: sup})
		return nil
	})
}

// collectELBv2 records Application, Network and Gateway Load Balancers
// (AWS::ElasticLoadBalancingV2::LoadBalancer, the load balancer's ARN as resource id) as
// AWS Config does: DescribeLoadBalancers as configuration, and in
// supplementaryConfiguration its attributes (LoadBalancerAttributes, a list of
// {key, value}) and tags (Tags); for Application Load Balancers also the WAFv2 web ACL
// that protects it (WebACL: GetWebACLForResource's {Arn, Id, Name}, null for none; left
// out, and the part recorded as skipped, where WAFv2 is unavailable), which
// ALB_WAF_ENABLED reads.
func collectELBv2(ctx context.Context, r *run) error {
	c := elbv2.NewFromConfig(r.cfg)
	waf := wafv2.NewFromConfig(r.cfg)
	var wafSkipped sync.Once
	var lbs []elbv2types.LoadBalancer
	p := elbv2.NewDescribeLoadBalancersPaginator(c, &elbv2.DescribeLoadBalancersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		lbs = append(lbs, out.LoadBalancers...)
	}
	return r.each(ctx, len(lbs), func(ctx context.Context, i int) error {
		lb := lbs[i]
		arn := aws.ToString(lb.LoadBalancerArn)
		attrs, err := c.DescribeLoadBalancerAttributes(ctx, &elbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: lb.LoadBalancerArn})
		if err != nil {
			return err
		}
		tags, err := c.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{arn}})
		if err != nil {
			return err
		}
		var tagList []elbv2types.Tag
		for _, d := range tags.TagDescriptions {
			tagList = append(tagList, d.Tags...)
		}
		conf, err := configJSON(lb)
		if err != nil {
			return err
		}
		sup := map[string]json.RawMessage{}
		if sup["LoadBalancerAttributes"], err = configJSON(nonNil(attrs.Attributes)); err != nil {
			return err
		}
		if sup["Tags"], err = configJSON(nonNil(tagList)); err != nil {
			return err
		}
		if lb.Type == elbv2types.LoadBalancerTypeEnumApplication {
			acl, skipped, err := webACLFor(ctx, waf, arn)
			switch {
			case err != nil:
				return err
			case skipped != nil:
				wafSkipped.Do(func() { r.skip("elbv2.webACL", skipped) })
			default:
				sup["WebACL"] = acl
			}
		}
		r.add(Item{ARN: arn, ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer", ResourceID: arn, ResourceName: aws.ToString(lb.LoadBalancerName),
			Zone: "Multiple Availability Zones", Created: timeString(lb.CreatedTime),
			Tags: tagMap(tagList, func(t elbv2types.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf, Supplementary: sup})
		return collectListeners(ctx, r, c, lb.LoadBalancerArn)
	})
}

// collectListeners records the listeners of an elbv2 load balancer
// (AWS::ElasticLoadBalancingV2::Listener, the listener's ARN as resource id) as AWS Config
// does: DescribeListeners with CloudFormation's member names as configuration
// (ListenerArn, LoadBalancerArn, Port, Protocol, Certificates, DefaultActions, SslPolicy,
// AlpnPolicy), members the API did not return left out. Certificates holds the default
// certificate, as DescribeListeners gives it.
func collectListeners(ctx context.Context, r *run, c *elbv2.Client, lbARN *string) error {
	p := elbv2.NewDescribeListenersPaginator(c, &elbv2.DescribeListenersInput{LoadBalancerArn: lbARN})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if errorCode(err) == "LoadBalancerNotFound" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		tags, err := listenerTags(ctx, c, out.Listeners)
		if err != nil {
			return err
		}
		for _, l := range out.Listeners {
			l.Certificates, l.AlpnPolicy = nonNil(l.Certificates), nonNil(l.AlpnPolicy)
			conf, err := json.Marshal(l)
			if err != nil {
				return err
			}
			if conf, err = setMembers(conf, nil); err != nil {
				return err
			}
			arn := aws.ToString(l.ListenerArn)
			r.add(Item{ARN: arn, ResourceType: "AWS::ElasticLoadBalancingV2::Listener", ResourceID: arn, Zone: "Regional", Configuration: conf, Tags: tags[arn]})
		}
	}
	return nil
}

// listenerTags returns the tags of listeners by ARN (DescribeTags, 20 ARNs a call); a
// listener without tags has none in the map.
func listenerTags(ctx context.Context, c *elbv2.Client, ls []elbv2types.Listener) (map[string]map[string]string, error) {
	arns := make([]string, 0, len(ls))
	for _, l := range ls {
		arns = append(arns, aws.ToString(l.ListenerArn))
	}
	tags := map[string]map[string]string{}
	for batch := range slices.Chunk(arns, 20) {
		out, err := c.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: batch})
		if errorCode(err) == "ListenerNotFound" {
			continue // deleted since it was listed; its item is dropped with the next describe
		}
		if err != nil {
			return nil, err
		}
		for _, d := range out.TagDescriptions {
			if m := tagMap(d.Tags, func(t elbv2types.Tag) (*string, *string) { return t.Key, t.Value }); len(m) > 0 {
				tags[aws.ToString(d.ResourceArn)] = m
			}
		}
	}
	return tags, nil
}

// nonNil returns s, or an empty slice for nil, so that an empty list is recorded as []
// as AWS Config records it, not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// renameMembers renames members of the JSON object conf, at any depth.
func renameMembers(conf json.RawMessage, names map[string]string) (json.RawMessage, error) {
	v, err := genericJSON(conf)
	if err != nil {
		return nil, err
	}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for from, to := range names {
				if x, ok := t[from]; ok {
					delete(t, from)
					t[to] = x
				}
			}
			for _, x := range t {
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(v)
	return json.Marshal(v)
}
