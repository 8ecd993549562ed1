package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
)

// beanstalkOptions are the configuration options the recorded
// DescribeConfigurationSettings responses give each environment.
var beanstalkOptions = map[string][][3]string{
	"good-env": {
		{"aws:elasticbeanstalk:healthreporting:system", "SystemType", "enhanced"},
		{"aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "true"},
		{"aws:elasticbeanstalk:cloudwatch:logs", "RetentionInDays", "30"},
		{"aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled", "true"},
		{"aws:elasticbeanstalk:managedactions:platformupdate", "UpdateLevel", "minor"},
		// Environment properties, which hold secrets: never recorded.
		{"aws:elasticbeanstalk:application:environment", "DB_PASSWORD", "hunter2-secret"},
		{"aws:cloudformation:template:parameter", "EnvironmentVariables", "DB_PASSWORD=hunter2-secret"},
	},
	"bare-env": {
		{"aws:elasticbeanstalk:healthreporting:system", "SystemType", "basic"},
		{"aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "false"},
		{"aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled", "false"},
	},
}

// describeConfigurationSettings writes AWS's documented XML response of
// DescribeConfigurationSettings for the environment.
func describeConfigurationSettings(w io.Writer, app, env string) {
	var opts bytes.Buffer
	for _, o := range beanstalkOptions[env] {
		fmt.Fprintf(&opts, "<member><Namespace>%s</Namespace><OptionName>%s</OptionName><Value>%s</Value></member>", esc(o[0]), esc(o[1]), esc(o[2]))
	}
	fmt.Fprintf(w, `<DescribeConfigurationSettingsResponse xmlns="http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/">
  <DescribeConfigurationSettingsResult>
    <ConfigurationSettings>
      <member>
        <OptionSettings>%s</OptionSettings>
        <ApplicationName>%s</ApplicationName>
        <EnvironmentName>%s</EnvironmentName>
        <DeploymentStatus>deployed</DeploymentStatus>
        <SolutionStackName>64bit Amazon Linux 2 v3.3.7 running Python 3.8</SolutionStackName>
        <DateCreated>2024-01-15T10:00:00.000Z</DateCreated>
        <DateUpdated>2024-01-15T10:05:00.000Z</DateUpdated>
      </member>
    </ConfigurationSettings>
  </DescribeConfigurationSettingsResult>
  <ResponseMetadata><RequestId>4c5b5e9d-0000-4000-8000-000000000000</RequestId></ResponseMetadata>
</DescribeConfigurationSettingsResponse>`, opts.String(), esc(app), esc(env))
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// TestBeanstalkEnvironments collects Elastic Beanstalk environments from moto and their
// configuration options from recorded responses: moto answers
// DescribeConfigurationSettings with a 500, so an httptest server answers it with AWS's
// documented XML response and forwards every other request to moto. It checks the
// environments' option settings as AWS Config records them and the three Elastic
// Beanstalk rules on them.
func TestBeanstalkEnvironments(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	c := eb.NewFromConfig(cfg)
	_, err := c.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String("shop")})
	must(t, err)
	for env := range beanstalkOptions {
		_, err := c.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String("shop"), EnvironmentName: aws.String(env),
			SolutionStackName: aws.String("64bit Amazon Linux 2 v3.3.7 running Python 3.8")})
		must(t, err)
	}

	recorded := &mototest.Server{URL: recordedURL(t, m, func(c recordedCall) (int, string, bool) {
		if c.Op != "DescribeConfigurationSettings" {
			return 0, "", false
		}
		var b strings.Builder
		describeConfigurationSettings(&b, c.Form.Get("ApplicationName"), c.Form.Get("EnvironmentName"))
		return http.StatusOK, b.String(), true
	})}

	_, items, raw := collectTypes(t, recorded, "123456789012", "AWS::ElasticBeanstalk::Environment")
	got := map[string]string{}
	for _, it := range items {
		var conf struct {
			EnvironmentName string
			OptionSettings  map[string]map[string]struct{ Value string }
		}
		must(t, json.Unmarshal(it.Configuration, &conf))
		got[conf.EnvironmentName] = fmt.Sprint(conf.OptionSettings)
	}
	want := map[string]string{
		"good-env": "map[aws:elasticbeanstalk:cloudwatch:logs:map[RetentionInDays:{30} StreamLogs:{true}] aws:elasticbeanstalk:healthreporting:system:map[SystemType:{enhanced}] " +
			"aws:elasticbeanstalk:managedactions:map[ManagedActionsEnabled:{true}] aws:elasticbeanstalk:managedactions:platformupdate:map[UpdateLevel:{minor}]]",
		"bare-env": "map[aws:elasticbeanstalk:cloudwatch:logs:map[StreamLogs:{false}] aws:elasticbeanstalk:healthreporting:system:map[SystemType:{basic}] " +
			"aws:elasticbeanstalk:managedactions:map[ManagedActionsEnabled:{false}]]",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("option settings (-want +got):\n%s", d)
	}
	if strings.Contains(string(raw), "hunter2-secret") {
		t.Error("the snapshot holds an environment property's value")
	}
	ids := map[string]string{}
	for id, it := range items {
		ids[it.ResourceName] = id
	}
	results := map[string]map[string]string{}
	for _, rule := range []string{"BEANSTALK_ENHANCED_HEALTH_REPORTING_ENABLED", "ELASTIC_BEANSTALK_LOGS_TO_CLOUDWATCH", "ELASTIC_BEANSTALK_MANAGED_UPDATES_ENABLED"} {
		results[rule] = evaluateRule(t, raw, rule, nil)
	}
	both := func(good, bare string) map[string]string {
		return map[string]string{ids["good-env"]: good, ids["bare-env"]: bare}
	}
	wantResults := map[string]map[string]string{
		"BEANSTALK_ENHANCED_HEALTH_REPORTING_ENABLED": both("COMPLIANT", "NON_COMPLIANT"),
		"ELASTIC_BEANSTALK_LOGS_TO_CLOUDWATCH":        both("COMPLIANT", "NON_COMPLIANT"),
		"ELASTIC_BEANSTALK_MANAGED_UPDATES_ENABLED":   both("COMPLIANT", "NON_COMPLIANT"),
	}
	if d := cmp.Diff(wantResults, results); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
}
