package inventory

import (
	"cmp"
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// collectBeanstalkEnvironments records Elastic Beanstalk environments
// (AWS::ElasticBeanstalk::Environment, the environment id as resource id (the name where
// the API gives no id, as moto does), its name as resource name) as AWS Config's example CI has them: DescribeEnvironments' members
// camel-cased (applicationName, environmentName, environmentId, environmentArn, cNAME,
// endpointURL, healthStatus, platformArn, solutionStackName, status, tier...), tags as
// an object, and optionSettings, the environment's configuration options
// (DescribeConfigurationSettings) by namespace and option name, each as {"value": ...}.
//
// The environment's properties (its environment variables, which often hold database
// passwords and API keys) are left out: no rule reads them, and a snapshot is evidence
// that auditors, reports and the console show.
func collectBeanstalkEnvironments(ctx context.Context, r *run) error {
	c := eb.NewFromConfig(r.cfg)
	var envs []ebtypes.EnvironmentDescription
	in := &eb.DescribeEnvironmentsInput{IncludeDeleted: aws.Bool(false)}
	for {
		out, err := c.DescribeEnvironments(ctx, in)
		if err != nil {
			return err
		}
		envs = append(envs, out.Environments...)
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	return r.each(ctx, len(envs), func(ctx context.Context, i int) error {
		env := envs[i]
		if env.Status == ebtypes.EnvironmentStatusTerminated || env.Status == ebtypes.EnvironmentStatusTerminating {
			return nil
		}
		conf, err := genericObject(env)
		if err != nil {
			return err
		}
		conf = lowerKeys(conf).(map[string]any)
		settings, err := c.DescribeConfigurationSettings(ctx, &eb.DescribeConfigurationSettingsInput{ApplicationName: env.ApplicationName,
			EnvironmentName: env.EnvironmentName})
		if err != nil {
			return err
		}
		opts := map[string]map[string]map[string]string{}
		for _, s := range settings.ConfigurationSettings {
			for _, o := range s.OptionSettings {
				ns := aws.ToString(o.Namespace)
				if beanstalkSecretNamespaces[ns] {
					continue
				}
				if opts[ns] == nil {
					opts[ns] = map[string]map[string]string{}
				}
				opts[ns][aws.ToString(o.OptionName)] = map[string]string{"value": aws.ToString(o.Value)}
			}
		}
		conf["optionSettings"] = opts
		tags, err := c.ListTagsForResource(ctx, &eb.ListTagsForResourceInput{ResourceArn: env.EnvironmentArn})
		if err != nil && !unavailable(err) {
			return err
		}
		var tm map[string]string
		if err == nil {
			tm = tagMap(tags.ResourceTags, func(t ebtypes.Tag) (*string, *string) { return t.Key, t.Value })
		}
		conf["tags"] = tm
		b, err := json.Marshal(withoutNulls(conf))
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(env.EnvironmentArn), ResourceType: "AWS::ElasticBeanstalk::Environment", ResourceID: cmp.Or(aws.ToString(env.EnvironmentId), aws.ToString(env.EnvironmentName)),
			ResourceName: aws.ToString(env.EnvironmentName), Zone: "Regional", Created: timeString(env.DateCreated), Tags: tm, Configuration: b})
		return nil
	})
}

// beanstalkSecretNamespaces are the option namespaces that carry the environment's
// properties: aws:elasticbeanstalk:application:environment, and the CloudFormation
// template parameter EnvironmentVariables that repeats them.
var beanstalkSecretNamespaces = map[string]bool{
	"aws:elasticbeanstalk:application:environment": true,
	"aws:cloudformation:template:parameter":        true,
}
