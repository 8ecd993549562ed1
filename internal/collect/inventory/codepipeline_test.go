package inventory_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
)

// recordedPipeline is GetPipeline's documented JSON response for a pipeline with a
// source stage and a Beta stage of deploys deploy actions.
func recordedPipeline(name string, deploys int) string {
	var acts []string
	for i := range deploys {
		acts = append(acts, `{"name":"`+name+`-beta`+string(rune('a'+i))+`","actionTypeId":{"category":"Deploy","owner":"AWS","provider":"S3","version":"1"},`+
			`"runOrder":1,"configuration":{"BucketName":"`+name+`-beta","Extract":"true"},"inputArtifacts":[{"name":"app"}],"outputArtifacts":[]}`)
	}
	return `{"pipeline":{"name":"` + name + `","roleArn":"arn:aws:iam::123456789012:role/pipeline",` +
		`"artifactStore":{"type":"S3","location":"artifacts"},"stages":[` +
		`{"name":"Source","actions":[{"name":"src","actionTypeId":{"category":"Source","owner":"AWS","provider":"S3","version":"1"},"runOrder":1,` +
		`"configuration":{"S3Bucket":"src","S3ObjectKey":"app.zip"},"outputArtifacts":[{"name":"app"}],"inputArtifacts":[]}]},` +
		`{"name":"Beta","actions":[` + strings.Join(acts, ",") + `]}],"version":1},` +
		`"metadata":{"pipelineArn":"arn:aws:codepipeline:` + mototest.Region + `:123456789012:` + name + `","created":1.7052984E9,"updated":1.7052984E9}}`
}

// TestPipelines collects two pipelines, one deploying once in its first deploying stage
// and one deploying twice, from recorded responses: moto writes CodePipeline's
// timestamps as strings, which the AWS SDK rejects, so an httptest server answers
// ListPipelines and GetPipeline with AWS's documented JSON responses and forwards every
// other request to moto. It checks the CI's shape (actions' configuration keys keep
// their case) and evaluates CODEPIPELINE_DEPLOYMENT_COUNT_CHECK.
func TestPipelines(t *testing.T) {
	m := mototest.Shared(t)
	pipelines := map[string]int{"single": 1, "double": 2}
	m = &mototest.Server{URL: recordedURL(t, m, func(c recordedCall) (int, string, bool) {
		switch c.Op {
		case "CodePipeline_20150709.ListPipelines":
			return http.StatusOK, `{"pipelines":[{"name":"single","version":1,"created":1.7052984E9,"updated":1.7052984E9},` +
				`{"name":"double","version":1,"created":1.7052984E9,"updated":1.7052984E9}]}`, true
		case "CodePipeline_20150709.GetPipeline":
			var in struct{ Name string }
			must(t, json.Unmarshal(c.Body, &in))
			return http.StatusOK, recordedPipeline(in.Name, pipelines[in.Name]), true
		}
		return 0, "", false
	})}

	_, items, raw := collectTypes(t, m, "123456789012", "AWS::CodePipeline::Pipeline")
	var single struct {
		Pipeline struct {
			Name   string
			Stages []struct {
				Name    string
				Actions []struct {
					ActionTypeID  map[string]string `json:"actionTypeId"`
					Configuration map[string]string `json:"configuration"`
				}
			}
		} `json:"pipeline"`
		Metadata struct {
			PipelineArn string `json:"pipelineArn"`
		} `json:"metadata"`
	}
	if items["single"] == nil {
		t.Fatalf("no CI for the pipeline single: %v", items)
	}
	must(t, json.Unmarshal(items["single"].Configuration, &single))
	src := single.Pipeline.Stages[0].Actions[0]
	got := []any{single.Pipeline.Name, single.Metadata.PipelineArn, items["single"].ARN, src.ActionTypeID, src.Configuration}
	want := []any{"single", "arn:aws:codepipeline:" + mototest.Region + ":123456789012:single", "arn:aws:codepipeline:" + mototest.Region + ":123456789012:single",
		map[string]string{"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
		map[string]string{"S3Bucket": "src", "S3ObjectKey": "app.zip"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("pipeline single (-want +got):\n%s", d)
	}
	results := evaluateRule(t, raw, "CODEPIPELINE_DEPLOYMENT_COUNT_CHECK", nil)
	if d := cmp.Diff(map[string]string{"single": "COMPLIANT", "double": "NON_COMPLIANT"}, results); d != "" {
		t.Errorf("CODEPIPELINE_DEPLOYMENT_COUNT_CHECK (-want +got):\n%s", d)
	}
}
