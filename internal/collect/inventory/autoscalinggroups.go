package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
)

// collectAutoScalingGroups records Auto Scaling groups (AWS::AutoScaling::AutoScalingGroup,
// the group's ARN as resource id and its name as resource name) as AWS Config's example
// CI has them: DescribeAutoScalingGroups' members camel-cased, with vpczoneIdentifier so
// spelt and createdTime in epoch milliseconds.
func collectAutoScalingGroups(ctx context.Context, r *run) error {
	p := autoscaling.NewDescribeAutoScalingGroupsPaginator(autoscaling.NewFromConfig(r.cfg), &autoscaling.DescribeAutoScalingGroupsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, g := range out.AutoScalingGroups {
			conf, err := autoScalingGroupConfig(g)
			if err != nil {
				return err
			}
			arn := aws.ToString(g.AutoScalingGroupARN)
			r.add(Item{ARN: arn, ResourceType: "AWS::AutoScaling::AutoScalingGroup", ResourceID: arn, ResourceName: aws.ToString(g.AutoScalingGroupName),
				Zone: "Multiple Availability Zones", Created: timeString(g.CreatedTime),
				Tags:          tagMap(g.Tags, func(t astypes.TagDescription) (*string, *string) { return t.Key, t.Value }),
				Configuration: conf})
		}
	}
	return nil
}

func autoScalingGroupConfig(g astypes.AutoScalingGroup) (json.RawMessage, error) {
	raw, err := configJSON(g)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if v, ok := m["vPCZoneIdentifier"]; ok {
		delete(m, "vPCZoneIdentifier")
		m["vpczoneIdentifier"] = v
	}
	if g.CreatedTime != nil {
		m["createdTime"] = g.CreatedTime.UnixMilli()
	}
	return json.Marshal(m)
}
