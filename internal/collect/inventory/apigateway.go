package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/probity-dev/probity/internal/ci"
)

// collectAPIGatewayStages records the stages of REST APIs (AWS::ApiGateway::Stage) as AWS
// Config does: the stage's ARN (arn:aws:apigateway:REGION::/restapis/API/stages/NAME) as
// resource id, its name as resource name, GetStages' stage as configuration
// (deploymentId, stageName, cacheClusterEnabled, methodSettings by "resource/method"
// with loggingLevel, cachingEnabled, cacheDataEncrypted..., tracingEnabled, webAclArn,
// clientCertificateId, variables with their own names), the tags as the CI's tags, and
// a relationship to the REST API ("Is contained in "). Stage tags and variables are data:
// their keys keep their case.
func collectAPIGatewayStages(ctx context.Context, r *run) error {
	c := apigateway.NewFromConfig(r.cfg)
	var apis []apigwtypes.RestApi
	p := apigateway.NewGetRestApisPaginator(c, &apigateway.GetRestApisInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		apis = append(apis, out.Items...)
	}
	return r.each(ctx, len(apis), func(ctx context.Context, i int) error {
		api := apis[i]
		out, err := c.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: api.Id})
		if errorCode(err) == "NotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		apiARN := "arn:" + r.partition + ":apigateway:" + r.region + "::/restapis/" + aws.ToString(api.Id)
		for _, st := range out.Item {
			tags, vars := st.Tags, st.Variables
			st.Tags, st.Variables = nil, nil
			conf, err := configJSON(st)
			if err != nil {
				return err
			}
			var set map[string]any
			if len(vars) > 0 {
				set = map[string]any{"variables": vars}
			}
			if conf, err = setMembers(conf, set); err != nil {
				return err
			}
			arn := apiARN + "/stages/" + aws.ToString(st.StageName)
			r.add(Item{ARN: arn, ResourceType: "AWS::ApiGateway::Stage", ResourceID: arn, ResourceName: aws.ToString(st.StageName),
				Zone: "Not Applicable", Created: timeString(st.CreatedDate), Tags: tags, Configuration: conf,
				Relationships: []ci.Relationship{{ResourceType: "AWS::ApiGateway::RestApi", ResourceID: apiARN, ResourceName: aws.ToString(api.Name), RelationshipName: "Is contained in "}}})
		}
		return nil
	})
}

// setMembers returns the JSON object conf without its top-level members that are null
// or "" (what the API did not return: AWS Config leaves them out), and with the members
// of set, encoded as they are (their keys keep their case).
func setMembers(conf json.RawMessage, set map[string]any) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(conf, &m); err != nil {
		return nil, err
	}
	for k, v := range m {
		if s := string(v); s == "null" || s == `""` {
			delete(m, k)
		}
	}
	for k, v := range set {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		m[k] = b
	}
	return json.Marshal(m)
}
