package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/probity-dev/probity/internal/ci"
)

// collectHTTPAPIStages records the stages of HTTP and WebSocket APIs
// (AWS::ApiGatewayV2::Stage) as AWS Config does: the stage's ARN
// (arn:aws:apigateway:REGION::/apis/API/stages/NAME) as resource id, its name as resource
// name, GetStages' stage camel-cased as configuration (stageName, defaultRouteSettings
// with loggingLevel, detailedMetricsEnabled..., accessLogSettings, autoDeploy), with
// routeSettings by route key, stageVariables and tags always present and their keys kept
// as they are (they are data), and a relationship to the API ("Is contained in ").
func collectHTTPAPIStages(ctx context.Context, r *run) error {
	c := apigatewayv2.NewFromConfig(r.cfg)
	var apis []apigwv2types.Api
	in := &apigatewayv2.GetApisInput{}
	for {
		out, err := c.GetApis(ctx, in)
		if err != nil {
			return err
		}
		apis = append(apis, out.Items...)
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	return r.each(ctx, len(apis), func(ctx context.Context, i int) error {
		api := apis[i]
		apiARN := "arn:" + r.partition + ":apigateway:" + r.region + "::/apis/" + aws.ToString(api.ApiId)
		sin := &apigatewayv2.GetStagesInput{ApiId: api.ApiId}
		for {
			out, err := c.GetStages(ctx, sin)
			if errorCode(err) == "NotFoundException" {
				return nil // deleted since it was listed
			}
			if err != nil {
				return err
			}
			for _, st := range out.Items {
				item, err := httpAPIStage(st, apiARN, aws.ToString(api.Name))
				if err != nil {
					return err
				}
				r.add(item)
			}
			if aws.ToString(out.NextToken) == "" {
				return nil
			}
			sin.NextToken = out.NextToken
		}
	})
}

// httpAPIStage returns the CI of one HTTP or WebSocket API stage.
func httpAPIStage(st apigwv2types.Stage, apiARN, apiName string) (Item, error) {
	routes := make(map[string]json.RawMessage, len(st.RouteSettings))
	for k, rs := range st.RouteSettings {
		b, err := routeSettingsJSON(&rs)
		if err != nil {
			return Item{}, err
		}
		routes[k] = b
	}
	def, err := routeSettingsJSON(st.DefaultRouteSettings)
	if err != nil {
		return Item{}, err
	}
	vars, tags := st.StageVariables, st.Tags
	if vars == nil {
		vars = map[string]string{}
	}
	if tags == nil {
		tags = map[string]string{}
	}
	st.RouteSettings, st.StageVariables, st.Tags, st.DefaultRouteSettings = nil, nil, nil, nil
	conf, err := configJSON(st)
	if err != nil {
		return Item{}, err
	}
	set := map[string]any{"routeSettings": routes, "stageVariables": vars, "tags": tags}
	if def != nil {
		set["defaultRouteSettings"] = def
	}
	if conf, err = setMembers(conf, set); err != nil {
		return Item{}, err
	}
	arn := apiARN + "/stages/" + aws.ToString(st.StageName)
	return Item{ARN: arn, ResourceType: "AWS::ApiGatewayV2::Stage", ResourceID: arn, ResourceName: aws.ToString(st.StageName),
		Zone: "Not Applicable", Created: timeString(st.CreatedDate), Tags: nonEmptyMap(tags), Configuration: conf,
		Relationships: []ci.Relationship{{ResourceType: "AWS::ApiGatewayV2::Api", ResourceID: apiARN, ResourceName: apiName, RelationshipName: "Is contained in "}}}, nil
}

// routeSettingsJSON returns route settings camel-cased without the members the API did
// not return (null, or "" for an unset logging level); nil for nil settings.
func routeSettingsJSON(rs *apigwv2types.RouteSettings) (json.RawMessage, error) {
	if rs == nil {
		return nil, nil
	}
	b, err := configJSON(rs)
	if err != nil {
		return nil, err
	}
	return setMembers(b, nil)
}

// nonEmptyMap returns m, or nil when it is empty, for a CI's tags.
func nonEmptyMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
