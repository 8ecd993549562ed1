package inventory

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// collectSNS records topics (AWS::SNS::Topic, the topic's ARN as resource id and its
// name as resource name) as AWS Config does: the topic's attributes (GetTopicAttributes,
// with their own names: TopicArn, Owner, Policy, KmsMasterKeyId...) as configuration,
// and its tags in supplementaryConfiguration (Tags, a list of {key, value}).
func collectSNS(ctx context.Context, r *run) error {
	c := sns.NewFromConfig(r.cfg)
	var arns []string
	p := sns.NewListTopicsPaginator(c, &sns.ListTopicsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, t := range out.Topics {
			arns = append(arns, aws.ToString(t.TopicArn))
		}
	}
	return r.each(ctx, len(arns), func(ctx context.Context, i int) error {
		arn := arns[i]
		attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
		if errorCode(err) == "NotFound" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil {
			return err
		}
		conf, err := json.Marshal(attrs.Attributes)
		if err != nil {
			return err
		}
		sup := map[string]json.RawMessage{}
		if sup["Tags"], err = configJSON(nonNil(tags.Tags)); err != nil {
			return err
		}
		r.add(Item{ARN: arn, ResourceType: "AWS::SNS::Topic", ResourceID: arn, ResourceName: arn[strings.LastIndex(arn, ":")+1:],
			Zone: "Not Applicable", Tags: tagMap(tags.Tags, func(t snstypes.Tag) (*string, *string) { return t.Key, t.Value }),
			Configuration: conf, Supplementary: sup})
		return nil
	})
}
