package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// collectDistributions records CloudFront distributions (AWS::CloudFront::Distribution,
// a global resource: only in the Global snapshot) as AWS Config does: the distribution's
// id as resource id, its ARN, awsRegion "global", and GetDistribution's Distribution as
// configuration with the leading capitals of member names in lower case (arn, id,
// distributionConfig with viewerCertificate's acmcertificateArn and sslsupportMethod,
// logging, webACLId, origins, cacheBehaviors...), and its tags.
func collectDistributions(ctx context.Context, r *run) error {
	c := cloudfront.NewFromConfig(r.cfg)
	var ids []string
	p := cloudfront.NewListDistributionsPaginator(c, &cloudfront.ListDistributionsInput{MaxItems: aws.Int32(100)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		if out.DistributionList != nil {
			for _, d := range out.DistributionList.Items {
				ids = append(ids, aws.ToString(d.Id))
			}
		}
	}
	return r.each(ctx, len(ids), func(ctx context.Context, i int) error {
		got, err := c.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: aws.String(ids[i])})
		if errorCode(err) == "NoSuchDistribution" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		d := got.Distribution
		tags, err := c.ListTagsForResource(ctx, &cloudfront.ListTagsForResourceInput{Resource: d.ARN})
		if err != nil {
			return err
		}
		var tagList []cftypes.Tag
		if tags.Tags != nil {
			tagList = tags.Tags.Items
		}
		conf, err := beanJSON(d)
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(d.ARN), ResourceType: "AWS::CloudFront::Distribution", ResourceID: aws.ToString(d.Id),
			Region: "global", Zone: "Not Applicable",
			Tags: tagMap(tagList, func(t cftypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf})
		return nil
	})
}
