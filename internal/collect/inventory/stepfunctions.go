package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// collectStateMachines records Step Functions state machines
// (AWS::StepFunctions::StateMachine, the state machine's ARN as resource id and its name
// as resource name) with DescribeStateMachine's members as the API names them
// (StateMachineArn, Name, Type, RoleArn, LoggingConfiguration with Level and
// Destinations, TracingConfiguration...; the definition left out), and their tags.
func collectStateMachines(ctx context.Context, r *run) error {
	c := sfn.NewFromConfig(r.cfg)
	var arns []string
	p := sfn.NewListStateMachinesPaginator(c, &sfn.ListStateMachinesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, m := range out.StateMachines {
			arns = append(arns, aws.ToString(m.StateMachineArn))
		}
	}
	return r.each(ctx, len(arns), func(ctx context.Context, i int) error {
		sm, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arns[i])})
		if errorCode(err) == "StateMachineDoesNotExist" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		tags, err := c.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(arns[i])})
		if err != nil {
			return err
		}
		sm.Definition = nil
		conf, err := wafJSON(sm, nil, nil)
		if err != nil {
			return err
		}
		r.add(Item{ARN: arns[i], ResourceType: "AWS::StepFunctions::StateMachine", ResourceID: arns[i], ResourceName: aws.ToString(sm.Name),
			Zone: "Regional", Created: timeString(sm.CreationDate),
			Tags: tagMap(tags.Tags, func(t sfntypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf})
		return nil
	})
}
