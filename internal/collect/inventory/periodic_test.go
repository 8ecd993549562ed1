package inventory_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
)

// TestAlarmCoverage seeds two instances in moto, one with a CPUUtilization alarm on its
// InstanceId and one with an alarm on another metric, collects a snapshot and evaluates
// CLOUDWATCH_ALARM_RESOURCE_CHECK over the instances and the alarms (the instances'
// volumes, of another type of the rule's scope, are NOT_APPLICABLE).
func TestAlarmCoverage(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	out, err := ec2.NewFromConfig(cfg).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(2), MaxCount: aws.Int32(2)})
	must(t, err)
	watched, other := aws.ToString(out.Instances[0].InstanceId), aws.ToString(out.Instances[1].InstanceId)
	cw := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801) })
	for name, alarm := range map[string][2]string{"cpu": {"CPUUtilization", watched}, "net": {"NetworkIn", other}} {
		_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), MetricName: aws.String(alarm[0]),
			Namespace: aws.String("AWS/EC2"), Statistic: cwtypes.StatisticAverage, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1),
			Threshold: aws.Float64(80), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
			Dimensions: []cwtypes.Dimension{{Name: aws.String("InstanceId"), Value: aws.String(alarm[1])}}})
		must(t, err)
	}
	_, _, raw := collectTypes(t, m, "123456789012")
	got := evaluateRule(t, raw, "CLOUDWATCH_ALARM_RESOURCE_CHECK", map[string]string{"resourceType": "AWS::EC2::Instance", "metricName": "CPUUtilization"})
	want := map[string]string{watched: "COMPLIANT", other: "NON_COMPLIANT"}
	for id := range got {
		if _, ok := want[id]; !ok { // the instances' volumes: in the rule's scope, not of resourceType
			want[id] = "NOT_APPLICABLE"
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("CLOUDWATCH_ALARM_RESOURCE_CHECK (-want +got):\n%s", d)
	}
}

// TestMacieAutomatedDiscovery collects Macie's automated discovery from a recorded
// response: moto lacks GetAutomatedDiscoveryConfiguration, so an httptest server answers
// it with AWS's documented JSON response and forwards every other request to moto. It
// checks that the fact is recorded and MACIE_AUTO_SENSITIVE_DATA_DISCOVERY_CHECK on it,
// for each status.
func TestMacieAutomatedDiscovery(t *testing.T) {
	m := mototest.Shared(t)
	_, err := macie2.NewFromConfig(m.Config()).EnableMacie(context.Background(), &macie2.EnableMacieInput{})
	must(t, err)
	for status, want := range map[string]string{"ENABLED": "COMPLIANT", "DISABLED": "NON_COMPLIANT"} {
		endpoint := recordedURL(t, m, func(c recordedCall) (int, string, bool) {
			if c.Op != "GET /automated-discovery/configuration" {
				return 0, "", false
			}
			return http.StatusOK, `{"autoEnableOrganizationMembers":"NEW","classificationScopeId":"117aff7ed76b59a59c8ebbbd71ab0e8b",` +
				`"disabledAt":"2024-01-15T10:00:00Z","firstEnabledAt":"2023-06-01T08:00:00Z","lastUpdatedAt":"2024-01-15T10:00:00Z",` +
				`"sensitivityInspectionTemplateId":"9fc4e4ea2d5bc3d5a2c3b0c4fd1e0a3b","status":"` + status + `"}`, true
		})
		acct, _, raw := collectTypes(t, &mototest.Server{URL: endpoint}, "123456789012")
		if c := acct.MacieAutomatedDiscovery; c == nil || c.Status != status {
			t.Errorf("%s: macie2.AutomatedDiscoveryConfiguration = %+v", status, c)
		}
		got := evaluateRule(t, raw, "MACIE_AUTO_SENSITIVE_DATA_DISCOVERY_CHECK", nil)
		if d := cmp.Diff(map[string]string{"123456789012": want}, got); d != "" {
			t.Errorf("%s: MACIE_AUTO_SENSITIVE_DATA_DISCOVERY_CHECK (-want +got):\n%s", status, d)
		}
	}
}
