package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appsync"
)

// collectGraphQLAPIs records AppSync GraphQL APIs (AWS::AppSync::GraphQLApi, the API's
// ARN as resource id and its name as resource name) with ListGraphqlApis' members as the
// API names them (ApiId, Name, Arn, AuthenticationType, LogConfig with FieldLogLevel,
// WafWebAclArn, XrayEnabled...), and their tags.
func collectGraphQLAPIs(ctx context.Context, r *run) error {
	c := appsync.NewFromConfig(r.cfg)
	p := appsync.NewListGraphqlApisPaginator(c, &appsync.ListGraphqlApisInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, api := range out.GraphqlApis {
			tags := api.Tags
			api.Tags = nil
			conf, err := wafJSON(api, nil, nil)
			if err != nil {
				return err
			}
			arn := aws.ToString(api.Arn)
			r.add(Item{ARN: arn, ResourceType: "AWS::AppSync::GraphQLApi", ResourceID: arn, ResourceName: aws.ToString(api.Name),
				Zone: "Regional", Tags: tags, Configuration: conf})
		}
	}
	return nil
}
