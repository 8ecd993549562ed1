package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// alarmRenames are the members of an alarm's configuration that AWS Config spells
// otherwise than the first-letter rule of configJSON gives (its example CI writes
// okactions).
var alarmRenames = map[string]string{"oKActions": "okactions"}

// queryProtocol makes a CloudWatch client speak AWS Query, which every CloudWatch
// endpoint still serves, instead of the SDK's default Smithy RPC v2 CBOR, which
// emulators such as moto do not.
func queryProtocol(o *cloudwatch.Options) {
	o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
}

// collectAlarms records CloudWatch metric alarms (AWS::CloudWatch::Alarm, the alarm's
// name as resource id) as AWS Config does: DescribeAlarms' MetricAlarm camel-cased
// (alarmName, alarmArn, actionsEnabled, alarmActions, insufficientDataActions, okactions,
// metricName, namespace, statistic, period, evaluationPeriods, threshold,
// comparisonOperator...).
func collectAlarms(ctx context.Context, r *run) error {
	c := cloudwatch.NewFromConfig(r.cfg, queryProtocol)
	p := cloudwatch.NewDescribeAlarmsPaginator(c, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm}})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, a := range out.MetricAlarms {
			a.AlarmActions, a.InsufficientDataActions, a.OKActions = nonNil(a.AlarmActions), nonNil(a.InsufficientDataActions), nonNil(a.OKActions)
			conf, err := configJSON(a)
			if err != nil {
				return err
			}
			if conf, err = renameMembers(conf, alarmRenames); err != nil {
				return err
			}
			name := aws.ToString(a.AlarmName)
			r.add(Item{ARN: aws.ToString(a.AlarmArn), ResourceType: "AWS::CloudWatch::Alarm", ResourceID: name, ResourceName: name,
				Zone: "Not Applicable", Configuration: conf})
		}
	}
	return nil
}
