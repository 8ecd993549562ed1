package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// deploymentConfig is the resource type of CodeDeploy deployment configurations, which
// AWS Config records with GetDeploymentConfig's members (deploymentConfigName,
// computePlatform, minimumHealthyHosts {type, value}).
const deploymentConfig = "AWS::CodeDeploy::DeploymentConfig"

// minimumHealthyHosts is a deployment configuration's minimum of healthy hosts.
type minimumHealthyHosts struct {
	Type  string   `json:"type"`
	Value looseInt `json:"value"`
}

// builtinServerConfigs are CodeDeploy's predefined EC2/On-Premises configurations,
// which no account records: all at once (no host need stay healthy), half at a time, and
// one at a time (all but one host healthy, which CodeDeploy states as 99 percent).
var builtinServerConfigs = map[string]minimumHealthyHosts{
	"CodeDeployDefault.AllAtOnce":   {Type: "HOST_COUNT", Value: 0},
	"CodeDeployDefault.HalfAtATime": {Type: "FLEET_PERCENT", Value: 50},
	"CodeDeployDefault.OneAtATime":  {Type: "FLEET_PERCENT", Value: 99},
}

// deploymentGroupCI is the part of a CodeDeploy deployment group CI the rules read
// (BatchGetDeploymentGroups' members in camel case).
type deploymentGroupCI struct {
	ComputePlatform           string `json:"computePlatform"`
	DeploymentConfigName      string `json:"deploymentConfigName"`
	AutoRollbackConfiguration *struct {
		Enabled bool `json:"enabled"`
	} `json:"autoRollbackConfiguration"`
	AlarmConfiguration *struct {
		Enabled bool `json:"enabled"`
		Alarms  []struct {
			Name string `json:"name"`
		} `json:"alarms"`
	} `json:"alarmConfiguration"`
}

// pipelineRegionsCI is the part of a CodePipeline pipeline CI the region fan-out rule
// reads: each deploy action's region (the pipeline's own when not given).
type pipelineRegionsCI struct {
	Pipeline struct {
		Stages []struct {
			Name    string `json:"name"`
			Actions []struct {
				ActionTypeID struct {
					Category string `json:"category"`
				} `json:"actionTypeId"`
				Region string `json:"region"`
			} `json:"actions"`
		} `json:"stages"`
	} `json:"pipeline"`
}

var deployRules = []*Rule{
	{
		ID: "CODEDEPLOY_AUTO_ROLLBACK_MONITOR_ENABLED",
		Description: "CodeDeploy deployment groups roll back automatically (autoRollbackConfiguration enabled) and monitor deployments with alarms " +
			"(alarmConfiguration enabled, with at least one alarm).",
		Scope: []string{deploymentGroup},
		Item: func(_ Args, it *ci.Item, _ Env) (Compliance, string, error) {
			g, err := cfg[deploymentGroupCI](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case g.AutoRollbackConfiguration == nil || !g.AutoRollbackConfiguration.Enabled:
				return NonCompliant, "Automatic rollback is not enabled.", nil
			case g.AlarmConfiguration == nil || !g.AlarmConfiguration.Enabled:
				return NonCompliant, "Deployment monitoring with alarms is not enabled.", nil
			case len(g.AlarmConfiguration.Alarms) == 0:
				return NonCompliant, "Deployment monitoring names no alarm.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "CODEDEPLOY_EC2_MINIMUM_HEALTHY_HOSTS_CONFIGURED",
		Description: "CodeDeploy deployment groups of the EC2/On-Premises platform use a deployment configuration whose minimum of healthy hosts is at least " +
			"minimumHealthyHostsFleetPercent percent (default 66) or minimumHealthyHostsHostCount hosts (default 1), by the configuration's type; " +
			"the configuration is CodeDeploy's predefined one or the snapshot's AWS::CodeDeploy::DeploymentConfig item. Groups of other platforms are NOT_APPLICABLE.",
		Scope: []string{deploymentGroup},
		Params: []Param{
			{Name: "minimumHealthyHostsFleetPercent", Type: Int, Default: "66"},
			{Name: "minimumHealthyHostsHostCount", Type: Int, Default: "1"},
		},
		Related: []string{deploymentConfig},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			g, err := cfg[deploymentGroupCI](it)
			if err != nil {
				return "", "", err
			}
			if g.ComputePlatform != "" && !strings.EqualFold(g.ComputePlatform, "Server") {
				return na("The deployment group deploys to " + g.ComputePlatform + ", not EC2/On-Premises.")
			}
			name := g.DeploymentConfigName
			if name == "" {
				name = "CodeDeployDefault.OneAtATime" // CodeDeploy's default
			}
			mh, ok := builtinServerConfigs[name]
			if !ok {
				if env.Related == nil {
					return na("The input does not hold the deployment configuration " + name + " (an " + deploymentConfig + " item of a snapshot).")
				}
				byName, err := env.Related.GroupBy(deploymentConfig, "deployment configurations by name", func(c *ci.Item) (string, error) {
					if c.ResourceName != "" {
						return c.ResourceName, nil
					}
					return c.ResourceID, nil
				})
				if err != nil {
					return "", "", err
				}
				confs := byName[name]
				if len(confs) == 0 {
					return na("The snapshot does not hold the deployment configuration " + name + ".")
				}
				c, err := cfg[struct {
					MinimumHealthyHosts *minimumHealthyHosts `json:"minimumHealthyHosts"`
				}](confs[0])
				if err != nil {
					return "", "", err
				}
				if c.MinimumHealthyHosts == nil {
					return na("The deployment configuration " + name + " has no minimum of healthy hosts (not an EC2/On-Premises configuration).")
				}
				mh = *c.MinimumHealthyHosts
			}
			v := int(mh.Value)
			switch strings.ToUpper(mh.Type) {
			case "FLEET_PERCENT":
				min := a.Int("minimumHealthyHostsFleetPercent")
				return verdict(v >= min, fmt.Sprintf("%s keeps %d%% of hosts healthy, fewer than %d%%.", name, v, min))
			case "HOST_COUNT":
				min := a.Int("minimumHealthyHostsHostCount")
				return verdict(v >= min, fmt.Sprintf("%s keeps %d host(s) healthy, fewer than %d.", name, v, min))
			}
			return "", "", fmt.Errorf("deployment configuration %s: minimumHealthyHosts.type %q is not FLEET_PERCENT or HOST_COUNT", name, mh.Type)
		},
	},
	{
		ID: "CODEPIPELINE_REGION_FANOUT_CHECK",
		Description: "The first CodePipeline stage that deploys does so to one region at most, and each later deploying stage to at most regionFanoutFactor (default 3) " +
			"times the regions of all earlier deploying stages together; a deploy action without a region deploys to the pipeline's. Pipelines without deploy actions are NOT_APPLICABLE.",
		Scope:  []string{codePipeline},
		Params: []Param{{Name: "regionFanoutFactor", Type: Int, Default: "3"}},
		Item: func(a Args, it *ci.Item, _ Env) (Compliance, string, error) {
			p, err := cfg[pipelineRegionsCI](it)
			if err != nil {
				return "", "", err
			}
			factor := a.Int("regionFanoutFactor")
			earlier, deploying := 0, false
			for _, s := range p.Pipeline.Stages {
				regions := map[string]bool{}
				for _, act := range s.Actions {
					if !strings.EqualFold(act.ActionTypeID.Category, "Deploy") {
						continue
					}
					r := act.Region
					if r == "" {
						r = it.Region
					}
					regions[r] = true
				}
				if len(regions) == 0 {
					continue
				}
				limit := earlier * factor
				if !deploying {
					limit = 1
				}
				if len(regions) > limit {
					return NonCompliant, "Stage " + s.Name + " deploys to " + strconv.Itoa(len(regions)) + " regions, more than " + strconv.Itoa(limit) + ".", nil
				}
				deploying = true
				earlier += len(regions)
			}
			if !deploying {
				return na("The pipeline has no deploy action.")
			}
			return Compliant, "", nil
		},
	},
}
