package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	redshifttypes "github.com/aws/aws-sdk-go-v2/service/redshift/types"
)

// collectRedshiftParameterGroups records cluster parameter groups, the default ones
// included (AWS::Redshift::ClusterParameterGroup, the group's name as resource id), as
// AWS Config does: DescribeClusterParameterGroups' members camel-cased as configuration
// (parameterGroupName, parameterGroupFamily, description, tags) and every parameter of
// the group (DescribeClusterParameters, all pages) in supplementaryConfiguration
// Parameters (parameterName, parameterValue, source...). REDSHIFT_REQUIRE_TLS_SSL reads a
// cluster's require_ssl there.
func collectRedshiftParameterGroups(ctx context.Context, r *run) error {
	c := redshift.NewFromConfig(r.cfg)
	var groups []redshifttypes.ClusterParameterGroup
	p := redshift.NewDescribeClusterParameterGroupsPaginator(c, &redshift.DescribeClusterParameterGroupsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		groups = append(groups, out.ParameterGroups...)
	}
	return r.each(ctx, len(groups), func(ctx context.Context, i int) error {
		g := groups[i]
		params := []redshifttypes.Parameter{}
		pp := redshift.NewDescribeClusterParametersPaginator(c, &redshift.DescribeClusterParametersInput{ParameterGroupName: g.ParameterGroupName})
		for pp.HasMorePages() {
			out, err := pp.NextPage(ctx)
			if errorCode(err) == "ClusterParameterGroupNotFound" {
				return nil // deleted since it was listed
			}
			if err != nil {
				return err
			}
			params = append(params, out.Parameters...)
		}
		g.Tags = nonNil(g.Tags)
		conf, err := configJSON(g)
		if err != nil {
			return err
		}
		sup := map[string]json.RawMessage{}
		if sup["Parameters"], err = configJSON(params); err != nil {
			return err
		}
		name := aws.ToString(g.ParameterGroupName)
		r.add(Item{ARN: r.arn("redshift", r.region, "parametergroup:"+name), ResourceType: "AWS::Redshift::ClusterParameterGroup",
			ResourceID: name, ResourceName: name, Zone: "Not Applicable",
			Tags: tagMap(g.Tags, func(t redshifttypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf, Supplementary: sup})
		return nil
	})
}
