package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// collectStacks records CloudFormation stacks (AWS::CloudFormation::Stack, the stack's
// ARN as resource id and its name as resource name) as AWS Config does: DescribeStacks'
// Stack camel-cased (stackId, stackName, stackStatus, notificationARNs, parameters,
// capabilities, outputs, tags...). Deleted stacks, which DescribeStacks does not list,
// are not recorded.
func collectStacks(ctx context.Context, r *run) error {
	c := cloudformation.NewFromConfig(r.cfg)
	p := cloudformation.NewDescribeStacksPaginator(c, &cloudformation.DescribeStacksInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, st := range out.Stacks {
			st.NotificationARNs = nonNil(st.NotificationARNs)
			conf, err := configJSON(st)
			if err != nil {
				return err
			}
			id := aws.ToString(st.StackId)
			r.add(Item{ARN: id, ResourceType: "AWS::CloudFormation::Stack", ResourceID: id, ResourceName: aws.ToString(st.StackName),
				Zone: "Regional", Created: timeString(st.CreationTime),
				Tags: tagMap(st.Tags, func(t cfntypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf})
		}
	}
	return nil
}
