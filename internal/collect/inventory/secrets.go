package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// collectSecrets records Secrets Manager secrets (AWS::SecretsManager::Secret, the
// secret's ARN as resource id and its name as resource name) with ListSecrets' members
// named as the AWS SDK for Java writes them (beanJSON) as configuration: arn, name,
// kmsKeyId (null for aws/secretsmanager), rotationEnabled, rotationLambdaARN,
// rotationRules, lastRotatedDate, nextRotationDate, createdDate...
// ListSecrets carries everything DescribeSecret would, so one paginated call serves
// every secret. Secrets scheduled for deletion are not listed, as AWS Config no longer
// records them.
func collectSecrets(ctx context.Context, r *run) error {
	c := secretsmanager.NewFromConfig(r.cfg)
	p := secretsmanager.NewListSecretsPaginator(c, &secretsmanager.ListSecretsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range out.SecretList {
			if s.DeletedDate != nil {
				continue
			}
			conf, err := beanJSON(s)
			if err != nil {
				return err
			}
			arn := aws.ToString(s.ARN)
			r.add(Item{ARN: arn, ResourceType: "AWS::SecretsManager::Secret", ResourceID: arn, ResourceName: aws.ToString(s.Name),
				Zone: "Regional", Created: timeString(s.CreatedDate),
				Tags: tagMap(s.Tags, func(t smtypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf})
		}
	}
	return nil
}
