package inventory_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestHTTPAPIStages seeds a WebSocket API stage that logs (default route settings at
// INFO, a route override at ERROR, a stage variable and tags) and an HTTP API stage with
// the defaults; it collects a snapshot and checks the AWS::ApiGatewayV2::Stage CIs (ARN as
// resource id, route keys, variables and tags keeping their case, the API relationship)
// and API_GW_EXECUTION_LOGGING_ENABLED on them.
func TestHTTPAPIStages(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	c := apigatewayv2.NewFromConfig(cfg)
	ws, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("chat"), ProtocolType: apigwv2types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	must(t, err)
	_, err = c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: ws.ApiId, StageName: aws.String("prod"),
		DefaultRouteSettings: &apigwv2types.RouteSettings{LoggingLevel: apigwv2types.LoggingLevelInfo, DataTraceEnabled: aws.Bool(true)},
		RouteSettings:        map[string]apigwv2types.RouteSettings{"$connect": {LoggingLevel: apigwv2types.LoggingLevelError}},
		StageVariables:       map[string]string{"Env": "prod"}, Tags: map[string]string{"Team": "chat"}})
	must(t, err)
	httpAPI, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("web"), ProtocolType: apigwv2types.ProtocolTypeHttp})
	must(t, err)
	_, err = c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: httpAPI.ApiId, StageName: aws.String("$default")})
	must(t, err)

	items := snapshotItems(t, m, account, region)
	rule, err := rules.Get("API_GW_EXECUTION_LOGGING_ENABLED")
	must(t, err)
	check, err := rule.Bind(nil)
	must(t, err)
	type stage struct {
		ARN, Name, Result string
		Tags              map[string]string
		Related           []ci.Relationship
		Config            map[string]any
	}
	got := map[string]stage{}
	for _, it := range items {
		if it.ResourceType != "AWS::ApiGatewayV2::Stage" {
			continue
		}
		var conf map[string]any
		must(t, json.Unmarshal(it.Configuration, &conf))
		for _, k := range []string{"createdDate", "lastUpdatedDate"} {
			delete(conf, k)
		}
		res, err := check.EvaluateItem(it, rules.Env{})
		must(t, err)
		got[it.ResourceID] = stage{it.ARN, it.ResourceName, string(res.ComplianceType), it.Tags, it.Relationships, conf}
	}
	api := func(id string) string { return "arn:aws:apigateway:" + region + "::/apis/" + id }
	wsStage, httpStage := api(aws.ToString(ws.ApiId))+"/stages/prod", api(aws.ToString(httpAPI.ApiId))+"/stages/$default"
	want := map[string]stage{
		wsStage: {ARN: wsStage, Name: "prod", Result: "COMPLIANT", Tags: map[string]string{"Team": "chat"},
			Related: []ci.Relationship{{ResourceType: "AWS::ApiGatewayV2::Api", ResourceID: api(aws.ToString(ws.ApiId)), ResourceName: "chat", RelationshipName: "Is contained in "}},
			Config: map[string]any{"stageName": "prod", "defaultRouteSettings": map[string]any{"loggingLevel": "INFO", "dataTraceEnabled": true},
				"routeSettings": map[string]any{"$connect": map[string]any{"loggingLevel": "ERROR"}}, "stageVariables": map[string]any{"Env": "prod"},
				"tags": map[string]any{"Team": "chat"}}},
		httpStage: {ARN: httpStage, Name: "$default", Result: "NON_COMPLIANT",
			Related: []ci.Relationship{{ResourceType: "AWS::ApiGatewayV2::Api", ResourceID: api(aws.ToString(httpAPI.ApiId)), ResourceName: "web", RelationshipName: "Is contained in "}},
			Config:  map[string]any{"stageName": "$default", "defaultRouteSettings": map[string]any{"detailedMetricsEnabled": false}, "routeSettings": map[string]any{}, "stageVariables": map[string]any{}, "tags": map[string]any{}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("stages (-want +got):\n%s", d)
	}
}
