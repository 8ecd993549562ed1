package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestAPIGatewayStages seeds two REST API stages in moto (one logging, caching with
// encryption and tracing, with tags and a stage variable; one with defaults), collects a
// snapshot, and checks the stages' CIs (ARN as resource id, stage name, tags, the REST
// API relationship, GetStage's members, variables with their own case) and the
// API_GW_* rules on them.
func TestAPIGatewayStages(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	c := apigateway.NewFromConfig(cfg)
	stage := func(api, name string, create func(*apigateway.CreateStageInput), ops ...apigwtypes.PatchOperation) string {
		t.Helper()
		out, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(api)})
		must(t, err)
		res, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: out.Id})
		must(t, err)
		root := res.Items[0].Id
		_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: out.Id, ResourceId: root, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
		must(t, err)
		_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: out.Id, ResourceId: root, HttpMethod: aws.String("GET"),
			Type: apigwtypes.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String("http://example.com")})
		must(t, err)
		d, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: out.Id})
		must(t, err)
		in := &apigateway.CreateStageInput{RestApiId: out.Id, StageName: aws.String(name), DeploymentId: d.Id}
		if create != nil {
			create(in)
		}
		_, err = c.CreateStage(ctx, in)
		must(t, err)
		if len(ops) > 0 {
			_, err = c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: out.Id, StageName: aws.String(name), PatchOperations: ops})
			must(t, err)
		}
		return aws.ToString(out.Id)
	}
	replace := func(path, value string) apigwtypes.PatchOperation {
		return apigwtypes.PatchOperation{Op: apigwtypes.OpReplace, Path: aws.String(path), Value: aws.String(value)}
	}
	shop := stage("shop", "prod", func(in *apigateway.CreateStageInput) {
		in.CacheClusterEnabled, in.CacheClusterSize, in.TracingEnabled = true, apigwtypes.CacheClusterSizeSize0Point5Gb, true
		in.Tags, in.Variables = map[string]string{"Env": "prod"}, map[string]string{"Backend": "blue"}
	}, replace("/*/*/logging/loglevel", "INFO"), replace("/*/*/caching/enabled", "true"), replace("/*/*/caching/dataEncrypted", "true"))
	plain := stage("plain", "dev", nil)

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	ids := []string{"API_GW_EXECUTION_LOGGING_ENABLED", "API_GW_CACHE_ENABLED_AND_ENCRYPTED", "API_GW_XRAY_ENABLED", "API_GW_ASSOCIATED_WITH_WAF"}
	var checks []*rules.Check
	for _, id := range ids {
		r, err := rules.Get(id)
		must(t, err)
		ch, err := r.Bind(nil)
		must(t, err)
		checks = append(checks, ch)
	}
	type stageCI struct {
		ARN, Name, Zone string
		Tags            map[string]string
		Relationships   []ci.Relationship
		Conf            map[string]any
		Results         []string
	}
	got := map[string]stageCI{}
	dec := ci.NewDecoder(&buf)
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		if it.ResourceType != "AWS::ApiGateway::Stage" {
			continue
		}
		var conf map[string]any
		must(t, json.Unmarshal(it.Configuration, &conf))
		for _, k := range []string{"createdDate", "lastUpdatedDate", "deploymentId", "description"} {
			delete(conf, k) // moto's values: times and generated ids
		}
		s := stageCI{ARN: it.ARN, Name: it.ResourceName, Zone: it.AvailabilityZone, Tags: it.Tags, Relationships: it.Relationships, Conf: conf}
		for _, ch := range checks {
			res, err := ch.EvaluateItem(it, rules.Env{})
			must(t, err)
			s.Results = append(s.Results, string(res.ComplianceType))
		}
		got[it.ResourceID] = s
	}
	base := "arn:aws:apigateway:" + region + "::/restapis/"
	rel := func(id, name string) []ci.Relationship {
		return []ci.Relationship{{ResourceType: "AWS::ApiGateway::RestApi", ResourceID: base + id, ResourceName: name, RelationshipName: "Is contained in "}}
	}
	setting := func(level string, caching bool) map[string]any {
		return map[string]any{"metricsEnabled": false, "loggingLevel": level, "dataTraceEnabled": false, "throttlingBurstLimit": float64(2000),
			"throttlingRateLimit": float64(1000), "cachingEnabled": caching, "cacheTtlInSeconds": float64(300), "cacheDataEncrypted": caching,
			"requireAuthorizationForCacheControl": true, "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"}
	}
	want := map[string]stageCI{
		base + shop + "/stages/prod": {ARN: base + shop + "/stages/prod", Name: "prod", Zone: "Not Applicable", Tags: map[string]string{"Env": "prod"},
			Relationships: rel(shop, "shop"),
			Conf: map[string]any{"stageName": "prod", "cacheClusterEnabled": true, "cacheClusterSize": "0.5", "cacheClusterStatus": "AVAILABLE",
				"methodSettings": map[string]any{"*/*": setting("INFO", true)}, "tracingEnabled": true, "variables": map[string]any{"Backend": "blue"}},
			Results: []string{"COMPLIANT", "COMPLIANT", "COMPLIANT", "NON_COMPLIANT"}},
		base + plain + "/stages/dev": {ARN: base + plain + "/stages/dev", Name: "dev", Zone: "Not Applicable", Relationships: rel(plain, "plain"),
			Conf:    map[string]any{"stageName": "dev", "cacheClusterEnabled": false, "methodSettings": map[string]any{}, "tracingEnabled": false},
			Results: []string{"NON_COMPLIANT", "NON_COMPLIANT", "NON_COMPLIANT", "NON_COMPLIANT"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("stages (-want +got):\n%s", d)
	}
}
