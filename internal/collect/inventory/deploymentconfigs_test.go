package inventory_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
)

// recordedDeploymentConfigs are GetDeploymentConfig's documented responses (JSON 1.1)
// for two custom EC2/On-Premises configurations; moto lacks the deployment
// configuration calls.
var recordedDeploymentConfigs = map[string]string{
	"TwoHosts": `{"deploymentConfigInfo":{"deploymentConfigId":"id-two","deploymentConfigName":"TwoHosts","computePlatform":"Server",` +
		`"minimumHealthyHosts":{"type":"HOST_COUNT","value":2},"createTime":1.7E9}}`,
	"SixtyPercent": `{"deploymentConfigInfo":{"deploymentConfigId":"id-sixty","deploymentConfigName":"SixtyPercent","computePlatform":"Server",` +
		`"minimumHealthyHosts":{"type":"FLEET_PERCENT","value":60},"createTime":1.7E9}}`,
}

// TestDeploymentConfigs seeds EC2/On-Premises deployment groups in moto on a predefined
// and two custom deployment configurations, answers the configuration calls with
// recorded responses behind an httptest server that passes the rest to moto, and checks
// the configurations' CIs (predefined ones left out) and
// CODEDEPLOY_EC2_MINIMUM_HEALTHY_HOSTS_CONFIGURED on the groups.
func TestDeploymentConfigs(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	const account = "123456789012"
	cd := codedeploy.NewFromConfig(m.Config())
	_, err := cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("app"), ComputePlatform: cdtypes.ComputePlatformServer})
	must(t, err)
	for g, config := range map[string]string{"g-two": "TwoHosts", "g-sixty": "SixtyPercent", "g-one": "CodeDeployDefault.OneAtATime"} {
		_, err := cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String(g),
			ServiceRoleArn: aws.String("arn:aws:iam::" + account + ":role/deploy"), DeploymentConfigName: aws.String(config)})
		must(t, err)
	}
	cfg := recorded(t, m, func(c recordedCall) (int, string, bool) {
		switch strings.TrimPrefix(c.Op, "CodeDeploy_20141006.") {
		case "ListDeploymentConfigs":
			return http.StatusOK, `{"deploymentConfigsList":["CodeDeployDefault.AllAtOnce","CodeDeployDefault.OneAtATime","SixtyPercent","TwoHosts"]}`, true
		case "GetDeploymentConfig":
			var in struct{ DeploymentConfigName string }
			must(t, json.Unmarshal(c.Body, &in))
			return http.StatusOK, recordedDeploymentConfigs[in.DeploymentConfigName], true
		}
		return 0, "", false
	}, "CodeDeploy_20141006.ListDeploymentConfigs", "CodeDeploy_20141006.GetDeploymentConfig")
	_, items, raw := collectTypesWith(t, cfg, account, "AWS::CodeDeploy::DeploymentConfig")
	type conf struct{ ARN, Name, Conf string }
	got := map[string]conf{}
	for id, it := range items {
		got[id] = conf{it.ARN, it.ResourceName, compactJSON(t, it.Configuration)}
	}
	arn := "arn:aws:codedeploy:us-east-1:" + account + ":deploymentconfig:"
	want := map[string]conf{
		"TwoHosts": {arn + "TwoHosts", "TwoHosts", `{"computePlatform":"Server","createTime":"2023-11-14T22:13:20Z","deploymentConfigId":"id-two",` +
			`"deploymentConfigName":"TwoHosts","minimumHealthyHosts":{"type":"HOST_COUNT","value":2}}`},
		"SixtyPercent": {arn + "SixtyPercent", "SixtyPercent", `{"computePlatform":"Server","createTime":"2023-11-14T22:13:20Z","deploymentConfigId":"id-sixty",` +
			`"deploymentConfigName":"SixtyPercent","minimumHealthyHosts":{"type":"FLEET_PERCENT","value":60}}`},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("deployment configurations (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"g-two": "COMPLIANT", "g-sixty": "NON_COMPLIANT", "g-one": "COMPLIANT"},
		evaluateRule(t, raw, "CODEDEPLOY_EC2_MINIMUM_HEALTHY_HOSTS_CONFIGURED", nil)); d != "" {
		t.Errorf("CODEDEPLOY_EC2_MINIMUM_HEALTHY_HOSTS_CONFIGURED (-want +got):\n%s", d)
	}
}
