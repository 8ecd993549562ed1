package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// collectCognitoUserPools records user pools (AWS::Cognito::UserPool, the pool's id as
// resource id and its name as resource name) with DescribeUserPool's UserPool as
// configuration, members with their own names, which are CloudFormation's
// (UserPoolAddOns, Policies, MfaConfiguration, DeletionProtection, UserPoolTags...), and
// the pool's tags (UserPoolTags) as the CI's tags.
func collectCognitoUserPools(ctx context.Context, r *run) error {
	c := cognitoidentityprovider.NewFromConfig(r.cfg)
	var ids []string
	p := cognitoidentityprovider.NewListUserPoolsPaginator(c, &cognitoidentityprovider.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, up := range out.UserPools {
			ids = append(ids, aws.ToString(up.Id))
		}
	}
	return r.each(ctx, len(ids), func(ctx context.Context, i int) error {
		out, err := c.DescribeUserPool(ctx, &cognitoidentityprovider.DescribeUserPoolInput{UserPoolId: aws.String(ids[i])})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		up := out.UserPool
		conf, err := apiMembersJSON(up)
		if err != nil {
			return err
		}
		arn := aws.ToString(up.Arn)
		if arn == "" {
			arn = r.arn("cognito-idp", r.region, "userpool/"+ids[i])
		}
		r.add(Item{ARN: arn, ResourceType: "AWS::Cognito::UserPool", ResourceID: ids[i], ResourceName: aws.ToString(up.Name),
			Zone: "Regional", Created: timeString(up.CreationDate), Tags: nilIfEmpty(up.UserPoolTags), Configuration: conf})
		return nil
	})
}

// collectCognitoIdentityPools records identity pools (AWS::Cognito::IdentityPool, the
// pool's id as resource id and its name as resource name) with DescribeIdentityPool's
// members with their own names, CloudFormation's (AllowUnauthenticatedIdentities,
// AllowClassicFlow, CognitoIdentityProviders, IdentityPoolTags...), as configuration and
// IdentityPoolTags as the CI's tags.
func collectCognitoIdentityPools(ctx context.Context, r *run) error {
	c := cognitoidentity.NewFromConfig(r.cfg)
	var ids []string
	p := cognitoidentity.NewListIdentityPoolsPaginator(c, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(60)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, ip := range out.IdentityPools {
			ids = append(ids, aws.ToString(ip.IdentityPoolId))
		}
	}
	return r.each(ctx, len(ids), func(ctx context.Context, i int) error {
		out, err := c.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(ids[i])})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		conf, err := apiMembersJSON(out)
		if err != nil {
			return err
		}
		r.add(Item{ARN: r.arn("cognito-identity", r.region, "identitypool/"+ids[i]), ResourceType: "AWS::Cognito::IdentityPool",
			ResourceID: ids[i], ResourceName: aws.ToString(out.IdentityPoolName), Zone: "Regional",
			Tags: nilIfEmpty(out.IdentityPoolTags), Configuration: conf})
		return nil
	})
}

// nilIfEmpty returns tags, or nil when there are none (as tagMap does).
func nilIfEmpty(tags map[string]string) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	return tags
}
