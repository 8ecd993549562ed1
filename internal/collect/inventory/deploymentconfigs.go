package inventory

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
)

// collectDeploymentConfigs records the account's own CodeDeploy deployment
// configurations (AWS::CodeDeploy::DeploymentConfig, the name as resource id and name;
// CodeDeploy's predefined CodeDeployDefault.* ones are left out, as AWS Config does not
// record them and the rules know them) with GetDeploymentConfig's deploymentConfigInfo
// members camel-cased (deploymentConfigName, deploymentConfigId, computePlatform,
// minimumHealthyHosts {type, value}, trafficRoutingConfig...), empty members left out.
func collectDeploymentConfigs(ctx context.Context, r *run) error {
	c := codedeploy.NewFromConfig(r.cfg)
	var names []string
	p := codedeploy.NewListDeploymentConfigsPaginator(c, &codedeploy.ListDeploymentConfigsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, n := range out.DeploymentConfigsList {
			if !strings.HasPrefix(n, "CodeDeployDefault.") {
				names = append(names, n)
			}
		}
	}
	return r.each(ctx, len(names), func(ctx context.Context, i int) error {
		out, err := c.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: aws.String(names[i])})
		if errorCode(err) == "DeploymentConfigDoesNotExistException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		d := out.DeploymentConfigInfo
		x, err := genericJSON(d)
		if err != nil {
			return err
		}
		conf, err := json.Marshal(withoutNulls(lowerKeys(x)))
		if err != nil {
			return err
		}
		r.add(Item{ARN: r.arn("codedeploy", r.region, "deploymentconfig:"+names[i]), ResourceType: "AWS::CodeDeploy::DeploymentConfig",
			ResourceID: names[i], ResourceName: names[i], Zone: "Regional", Created: timeString(d.CreateTime), Configuration: conf})
		return nil
	})
}
