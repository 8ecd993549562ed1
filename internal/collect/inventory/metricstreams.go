package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// collectMetricStreams records CloudWatch metric streams (AWS::CloudWatch::MetricStream,
// the stream's name as resource id and name) with GetMetricStream's members with their
// own names, CloudFormation's (Arn, Name, FirehoseArn, RoleArn, State, OutputFormat,
// IncludeFilters, ExcludeFilters, StatisticsConfigurations...), as configuration and the
// stream's tags (ListTagsForResource) as the CI's tags.
func collectMetricStreams(ctx context.Context, r *run) error {
	c := cloudwatch.NewFromConfig(r.cfg, queryProtocol)
	var names []string
	p := cloudwatch.NewListMetricStreamsPaginator(c, &cloudwatch.ListMetricStreamsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range out.Entries {
			names = append(names, aws.ToString(s.Name))
		}
	}
	return r.each(ctx, len(names), func(ctx context.Context, i int) error {
		s, err := c.GetMetricStream(ctx, &cloudwatch.GetMetricStreamInput{Name: aws.String(names[i])})
		if errorCode(err) == "ResourceNotFound" || errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		tags, err := c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: s.Arn})
		if err != nil {
			return err
		}
		conf, err := apiMembersJSON(s)
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(s.Arn), ResourceType: "AWS::CloudWatch::MetricStream", ResourceID: names[i], ResourceName: names[i],
			Zone: "Regional", Created: timeString(s.CreationDate), Configuration: conf,
			Tags: tagMap(tags.Tags, func(t cwtypes.Tag) (*string, *string) { return t.Key, t.Value })})
		return nil
	})
}
