package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// collectHTTPAPIRoutes records the routes of HTTP and WebSocket APIs
// (AWS::ApiGatewayV2::Route, the route's id as resource id and its route key as resource
// name) with GetRoutes' members with their own names, CloudFormation's (RouteKey,
// AuthorizationType, AuthorizerId, Target...), and the API's id (ApiId) as configuration.
func collectHTTPAPIRoutes(ctx context.Context, r *run) error {
	c := apigatewayv2.NewFromConfig(r.cfg)
	var apis []string
	in := &apigatewayv2.GetApisInput{}
	for {
		out, err := c.GetApis(ctx, in)
		if err != nil {
			return err
		}
		for _, api := range out.Items {
			apis = append(apis, aws.ToString(api.ApiId))
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	return r.each(ctx, len(apis), func(ctx context.Context, i int) error {
		rin := &apigatewayv2.GetRoutesInput{ApiId: aws.String(apis[i])}
		for {
			out, err := c.GetRoutes(ctx, rin)
			if errorCode(err) == "NotFoundException" {
				return nil // deleted since it was listed
			}
			if err != nil {
				return err
			}
			for _, rt := range out.Items {
				if err := r.addRoute(apis[i], rt); err != nil {
					return err
				}
			}
			if aws.ToString(out.NextToken) == "" {
				return nil
			}
			rin.NextToken = out.NextToken
		}
	})
}

// addRoute adds the CI of one route of the API apiID.
func (r *run) addRoute(apiID string, rt apigwv2types.Route) error {
	m, err := genericObject(rt)
	if err != nil {
		return err
	}
	m["ApiId"] = apiID
	conf, err := json.Marshal(dropEmpty(m))
	if err != nil {
		return err
	}
	id := aws.ToString(rt.RouteId)
	r.add(Item{ARN: "arn:" + r.partition + ":apigateway:" + r.region + "::/apis/" + apiID + "/routes/" + id,
		ResourceType: "AWS::ApiGatewayV2::Route", ResourceID: id, ResourceName: aws.ToString(rt.RouteKey), Zone: "Regional", Configuration: conf})
	return nil
}
