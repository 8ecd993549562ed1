package inventory_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
)

// TestResourceTags seeds tagged and untagged ECR repositories, REST APIs and stages in
// moto, collects a snapshot and checks that the CIs carry the tags the *_TAGGED rules
// read, and ECR_REPOSITORY_TAGGED on the repositories.
func TestResourceTags(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	e := ecr.NewFromConfig(cfg)
	_, err := e.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("tagged"), Tags: []ecrtypes.Tag{{Key: aws.String("team"), Value: aws.String("ci")}}})
	must(t, err)
	_, err = e.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("bare")})
	must(t, err)
	gw := apigateway.NewFromConfig(cfg)
	tagged, err := gw.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("tagged"), Tags: map[string]string{"team": "api"}})
	must(t, err)
	bare, err := gw.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("bare")})
	must(t, err)
	for _, api := range []*apigateway.CreateRestApiOutput{tagged, bare} {
		res, err := gw.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
		must(t, err)
		_, err = gw.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Items[0].Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
		must(t, err)
		_, err = gw.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Items[0].Id, HttpMethod: aws.String("GET"), Type: "MOCK"})
		must(t, err)
		d, err := gw.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id})
		must(t, err)
		in := &apigateway.CreateStageInput{RestApiId: api.Id, StageName: aws.String("prod"), DeploymentId: d.Id}
		if api == tagged {
			in.Tags = map[string]string{"stage": "prod"}
		}
		_, err = gw.CreateStage(ctx, in)
		must(t, err)
	}
	_, items, raw := collectTypes(t, m, "123456789012", "AWS::ECR::Repository", "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage")
	got := map[string]map[string]string{}
	stages := map[string]map[string]string{} // by ARN: both stages are named prod
	for _, it := range items {
		if it.ResourceType == "AWS::ApiGateway::Stage" {
			stages[it.ResourceID] = it.Tags
			continue
		}
		got[it.ResourceType+" "+it.ResourceName] = it.Tags
	}
	want := map[string]map[string]string{
		"AWS::ECR::Repository tagged":     {"team": "ci"},
		"AWS::ECR::Repository bare":       nil,
		"AWS::ApiGateway::RestApi tagged": {"team": "api"},
		"AWS::ApiGateway::RestApi bare":   nil,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("tags (-want +got):\n%s", d)
	}
	stageARN := func(api *apigateway.CreateRestApiOutput) string {
		return "arn:aws:apigateway:us-east-1::/restapis/" + aws.ToString(api.Id) + "/stages/prod"
	}
	if d := cmp.Diff(map[string]map[string]string{stageARN(tagged): {"stage": "prod"}, stageARN(bare): nil}, stages); d != "" {
		t.Errorf("stage tags (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"tagged": "COMPLIANT", "bare": "NON_COMPLIANT"}, evaluateRule(t, raw, "ECR_REPOSITORY_TAGGED", nil)); d != "" {
		t.Errorf("ECR_REPOSITORY_TAGGED (-want +got):\n%s", d)
	}
}
