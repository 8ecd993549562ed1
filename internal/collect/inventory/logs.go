package inventory

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// collectLogGroups records CloudWatch Logs log groups (AWS::Logs::LogGroup, the group's
// name as resource id) as AWS Config does, with the property names of CloudFormation's
// AWS::Logs::LogGroup: LogGroupName, Arn (the group's ARN ending in :*, as
// DescribeLogGroups' arn), KmsKeyId, RetentionInDays (absent: never expire),
// LogGroupClass and Tags ({Key, Value}).
func collectLogGroups(ctx context.Context, r *run) error {
	c := cloudwatchlogs.NewFromConfig(r.cfg)
	var groups []logstypes.LogGroup
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		groups = append(groups, out.LogGroups...)
	}
	return r.each(ctx, len(groups), func(ctx context.Context, i int) error {
		g := groups[i]
		arn := aws.ToString(g.Arn)
		tagged, err := c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(strings.TrimSuffix(arn, ":*"))})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		conf := map[string]any{"LogGroupName": aws.ToString(g.LogGroupName), "Arn": arn}
		if g.KmsKeyId != nil {
			conf["KmsKeyId"] = aws.ToString(g.KmsKeyId)
		}
		if g.RetentionInDays != nil {
			conf["RetentionInDays"] = *g.RetentionInDays
		}
		if g.LogGroupClass != "" {
			conf["LogGroupClass"] = g.LogGroupClass
		}
		tags := make([]map[string]string, 0, len(tagged.Tags))
		for _, k := range slices.Sorted(maps.Keys(tagged.Tags)) {
			tags = append(tags, map[string]string{"Key": k, "Value": tagged.Tags[k]})
		}
		conf["Tags"] = tags
		b, err := json.Marshal(conf)
		if err != nil {
			return err
		}
		var tagMap map[string]string
		if len(tagged.Tags) > 0 {
			tagMap = tagged.Tags
		}
		created := ""
		if g.CreationTime != nil {
			created = timeString(aws.Time(time.UnixMilli(*g.CreationTime)))
		}
		r.add(Item{ARN: strings.TrimSuffix(arn, ":*"), ResourceType: "AWS::Logs::LogGroup", ResourceID: aws.ToString(g.LogGroupName),
			ResourceName: aws.ToString(g.LogGroupName), Zone: "Not Applicable", Created: created, Tags: tagMap, Configuration: b})
		return nil
	})
}
