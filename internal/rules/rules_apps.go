package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const (
	efsAccessPoint       = "AWS::EFS::AccessPoint"
	beanstalkEnvironment = "AWS::ElasticBeanstalk::Environment"
	deploymentGroup      = "AWS::CodeDeploy::DeploymentGroup"
	codePipeline         = "AWS::CodePipeline::Pipeline"
)

// efsAccessPointCI is the part of an EFS access point CI the rules read (CloudFormation's
// and DescribeAccessPoints' member names, which differ only in case).
type efsAccessPointCI struct {
	RootDirectory *struct {
		Path string `json:"path"`
	} `json:"rootDirectory"`
	PosixUser *struct {
		UID looseInt `json:"uid"`
		GID looseInt `json:"gid"`
	} `json:"posixUser"`
}

// optionSettings are an Elastic Beanstalk environment's configuration options by
// namespace and option name. AWS Config records them as
// {"NAMESPACE": {"OPTION": {"value": "..."}}}; DescribeConfigurationSettings' list of
// {Namespace, OptionName, Value} is read too.
type optionSettings map[string]map[string]string

func (o *optionSettings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*o = optionSettings{}
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '[':
		var list []struct{ Namespace, OptionName, Value string }
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		for _, s := range list {
			o.set(s.Namespace, s.OptionName, s.Value)
		}
		return nil
	}
	var m map[string]map[string]struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for ns, opts := range m {
		for name, v := range opts {
			o.set(ns, name, v.Value)
		}
	}
	return nil
}

func (o optionSettings) set(ns, name, value string) {
	if o[ns] == nil {
		o[ns] = map[string]string{}
	}
	o[ns][name] = value
}

// get returns the option's value and whether it is set.
func (o optionSettings) get(ns, name string) (string, bool) {
	v, ok := o[ns][name]
	return v, ok
}

type beanstalkEnv struct {
	HealthStatus   string         `json:"healthStatus"`
	OptionSettings optionSettings `json:"optionSettings"`
}

// beanstalkRule builds a rule on Elastic Beanstalk environments.
func beanstalkRule(id, desc string, params []Param, f func(a Args, e *beanstalkEnv) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{beanstalkEnvironment}, Params: params,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			e, err := cfg[beanstalkEnv](it)
			if err != nil {
				return "", "", err
			}
			return f(a, e)
		}}
}

// pipelineCI is the part of a CodePipeline pipeline CI the rule reads (GetPipeline:
// pipeline.stages[].actions[].actionTypeId.category).
type pipelineCI struct {
	Pipeline struct {
		Stages []struct {
			Name    string `json:"name"`
			Actions []struct {
				ActionTypeID struct {
					Category string `json:"category"`
				} `json:"actionTypeId"`
			} `json:"actions"`
		} `json:"stages"`
	} `json:"pipeline"`
}

var appRules = []*Rule{
	{
		ID: "EFS_ACCESS_POINT_ENFORCE_ROOT_DIRECTORY",
		Description: "EFS access points enforce a root directory other than the file system's root (/), one of approvedDirectories when given " +
			"(compared without trailing slashes).",
		Scope:  []string{efsAccessPoint},
		Params: []Param{{Name: "approvedDirectories", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			ap, err := cfg[efsAccessPointCI](it)
			if err != nil {
				return "", "", err
			}
			p := "/"
			if ap.RootDirectory != nil && ap.RootDirectory.Path != "" {
				p = path.Clean("/" + ap.RootDirectory.Path)
			}
			if p == "/" {
				return NonCompliant, "The access point's root directory is the file system's root.", nil
			}
			if a.Set("approvedDirectories") {
				for _, d := range a.List("approvedDirectories") {
					if path.Clean("/"+d) == p {
						return Compliant, "", nil
					}
				}
				return NonCompliant, "The root directory " + p + " is not in approvedDirectories.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "EFS_ACCESS_POINT_ENFORCE_USER_IDENTITY",
		Description: "EFS access points enforce a POSIX user, whose user id is one of approvedUids and group id one of approvedGids when given.",
		Scope:       []string{efsAccessPoint},
		Params:      []Param{{Name: "approvedUids", Type: CSV}, {Name: "approvedGids", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			ap, err := cfg[efsAccessPointCI](it)
			if err != nil {
				return "", "", err
			}
			u := ap.PosixUser
			switch {
			case u == nil:
				return NonCompliant, "The access point enforces no user identity.", nil
			case a.Set("approvedUids") && !inList(a.List("approvedUids"), strconv.Itoa(int(u.UID))):
				return NonCompliant, "The user id " + strconv.Itoa(int(u.UID)) + " is not in approvedUids.", nil
			case a.Set("approvedGids") && !inList(a.List("approvedGids"), strconv.Itoa(int(u.GID))):
				return NonCompliant, "The group id " + strconv.Itoa(int(u.GID)) + " is not in approvedGids.", nil
			}
			return Compliant, "", nil
		},
	},
	beanstalkRule("BEANSTALK_ENHANCED_HEALTH_REPORTING_ENABLED",
		"Elastic Beanstalk environments use enhanced health reporting (aws:elasticbeanstalk:healthreporting:system SystemType enhanced; without the option, a health status, which only enhanced reporting gives).",
		nil, func(a Args, e *beanstalkEnv) (Compliance, string, error) {
			if v, ok := e.OptionSettings.get("aws:elasticbeanstalk:healthreporting:system", "SystemType"); ok {
				return verdict(strings.EqualFold(v, "enhanced"), "The environment uses "+v+" health reporting.")
			}
			return verdict(e.HealthStatus != "", "The environment uses basic health reporting.")
		}),
	beanstalkRule("ELASTIC_BEANSTALK_LOGS_TO_CLOUDWATCH",
		"Elastic Beanstalk environments stream instance logs to CloudWatch Logs (aws:elasticbeanstalk:cloudwatch:logs StreamLogs), keeping them RetentionInDays days and deleting them on termination as DeleteOnTerminate says when given.",
		[]Param{{Name: "RetentionInDays", Type: Int}, {Name: "DeleteOnTerminate", Type: Bool}},
		func(a Args, e *beanstalkEnv) (Compliance, string, error) {
			const ns = "aws:elasticbeanstalk:cloudwatch:logs"
			if v, _ := e.OptionSettings.get(ns, "StreamLogs"); !strings.EqualFold(v, "true") {
				return NonCompliant, "The environment does not stream logs to CloudWatch Logs.", nil
			}
			if a.Set("RetentionInDays") {
				v, ok := e.OptionSettings.get(ns, "RetentionInDays")
				if !ok {
					v = "7" // Elastic Beanstalk's default
				}
				if strings.TrimSpace(v) != a.Str("RetentionInDays") {
					return NonCompliant, "Logs are kept " + v + " days, not " + a.Str("RetentionInDays") + ".", nil
				}
			}
			if a.Set("DeleteOnTerminate") {
				v, ok := e.OptionSettings.get(ns, "DeleteOnTerminate")
				if !ok {
					v = "false" // Elastic Beanstalk's default
				}
				if !strings.EqualFold(v, a.Str("DeleteOnTerminate")) {
					return NonCompliant, "DeleteOnTerminate is " + v + ", not " + a.Str("DeleteOnTerminate") + ".", nil
				}
			}
			return Compliant, "", nil
		}),
	beanstalkRule("ELASTIC_BEANSTALK_MANAGED_UPDATES_ENABLED",
		"Elastic Beanstalk environments have managed platform updates on (aws:elasticbeanstalk:managedactions ManagedActionsEnabled), at the UpdateLevel (minor or patch, any case) given.",
		[]Param{{Name: "UpdateLevel", Type: String}},
		func(a Args, e *beanstalkEnv) (Compliance, string, error) {
			if v, _ := e.OptionSettings.get("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled"); !strings.EqualFold(v, "true") {
				return NonCompliant, "Managed platform updates are not enabled.", nil
			}
			if a.Set("UpdateLevel") {
				v, _ := e.OptionSettings.get("aws:elasticbeanstalk:managedactions:platformupdate", "UpdateLevel")
				if !strings.EqualFold(v, a.Str("UpdateLevel")) {
					return NonCompliant, "The update level is " + v + ", not " + a.Str("UpdateLevel") + ".", nil
				}
			}
			return Compliant, "", nil
		}),
	{
		ID: "CODEDEPLOY_LAMBDA_ALLATONCE_TRAFFIC_SHIFT_DISABLED",
		Description: "CodeDeploy deployment groups of the Lambda compute platform do not use CodeDeployDefault.LambdaAllAtOnce (a Lambda group naming no configuration uses it); " +
			"groups of other platforms are NOT_APPLICABLE.",
		Scope: []string{deploymentGroup},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			g, err := cfg[struct {
				ComputePlatform      string `json:"computePlatform"`
				DeploymentConfigName string `json:"deploymentConfigName"`
			}](it)
			if err != nil {
				return "", "", err
			}
			name := g.DeploymentConfigName
			lambda := strings.EqualFold(g.ComputePlatform, "Lambda") || strings.HasPrefix(name, "CodeDeployDefault.Lambda")
			switch {
			case !lambda && g.ComputePlatform != "":
				return na("The deployment group deploys to " + g.ComputePlatform + ", not Lambda.")
			case !lambda:
				return na("The deployment group's compute platform is not recorded, and its configuration is not a Lambda one.")
			case name == "" || name == "CodeDeployDefault.LambdaAllAtOnce":
				return NonCompliant, "The deployment group shifts all Lambda traffic at once (CodeDeployDefault.LambdaAllAtOnce).", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "CODEPIPELINE_DEPLOYMENT_COUNT_CHECK",
		Description: "The first stage of a CodePipeline pipeline that deploys has at most one deploy action, and each later deploying stage at most deploymentLimit when given; " +
			"pipelines without deploy actions are NOT_APPLICABLE.",
		Scope:  []string{codePipeline},
		Params: []Param{{Name: "deploymentLimit", Type: Int}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			p, err := cfg[pipelineCI](it)
			if err != nil {
				return "", "", err
			}
			first := true
			for _, s := range p.Pipeline.Stages {
				n := 0
				for _, act := range s.Actions {
					if strings.EqualFold(act.ActionTypeID.Category, "Deploy") {
						n++
					}
				}
				if n == 0 {
					continue
				}
				if first && n > 1 {
					return NonCompliant, fmt.Sprintf("The first deploying stage %s has %d deploy actions.", s.Name, n), nil
				}
				if !first && a.Set("deploymentLimit") && n > a.Int("deploymentLimit") {
					return NonCompliant, fmt.Sprintf("The stage %s has %d deploy actions, more than deploymentLimit %d.", s.Name, n, a.Int("deploymentLimit")), nil
				}
				first = false
			}
			if first {
				return na("The pipeline has no deploy actions.")
			}
			return Compliant, "", nil
		},
	},
}
