package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

// collectRestAPIs records API Gateway REST APIs (AWS::ApiGateway::RestApi, the API's ARN
// arn:aws:apigateway:REGION::/restapis/ID as resource id, as the stages' relationships
// name it, and its name as resource name) as AWS Config does: GetRestApis' RestApi
// camel-cased (id, name, endpointConfiguration with types, apiKeySource, policy...).
func collectRestAPIs(ctx context.Context, r *run) error {
	c := apigateway.NewFromConfig(r.cfg)
	p := apigateway.NewGetRestApisPaginator(c, &apigateway.GetRestApisInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, api := range out.Items {
			tags := api.Tags
			api.Tags = nil
			conf, err := configJSON(api)
			if err != nil {
				return err
			}
			arn := "arn:" + r.partition + ":apigateway:" + r.region + "::/restapis/" + aws.ToString(api.Id)
			r.add(Item{ARN: arn, ResourceType: "AWS::ApiGateway::RestApi", ResourceID: arn, ResourceName: aws.ToString(api.Name),
				Zone: "Regional", Created: timeString(api.CreatedDate), Tags: tags, Configuration: conf})
		}
	}
	return nil
}
