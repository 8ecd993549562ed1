package inventory_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestAlarmsAndCaches seeds a CloudWatch alarm with actions and one without (its actions
// disabled), a Redis replication group, a lone Redis cluster and a Memcached cluster; it
// collects a snapshot and checks the CIs (alarms by name with AWS Config's okactions;
// clusters and groups by id, camel-cased) and the CloudWatch and ElastiCache rules on them.
func TestAlarmsAndCaches(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	const topic = "arn:aws:sns:" + region + ":" + account + ":ops"
	// moto answers CloudWatch in AWS Query only, as the collector speaks it.
	cw := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801) })
	for name, actions := range map[string][]string{"paged": {topic}, "silent": nil} {
		_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), MetricName: aws.String("CPUUtilization"),
			Namespace: aws.String("AWS/EC2"), Statistic: cwtypes.StatisticAverage, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1),
			Threshold: aws.Float64(80), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
			ActionsEnabled: aws.Bool(actions != nil), AlarmActions: actions, InsufficientDataActions: actions, OKActions: actions})
		must(t, err)
	}
	ec := elasticache.NewFromConfig(cfg)
	_, err := ec.CreateReplicationGroup(ctx, &elasticache.CreateReplicationGroupInput{ReplicationGroupId: aws.String("group"),
		ReplicationGroupDescription: aws.String("g"), Engine: aws.String("redis"), CacheNodeType: aws.String("cache.t3.micro"), SnapshotRetentionLimit: aws.Int32(20)})
	must(t, err)
	for id, engine := range map[string]string{"solo": "redis", "memo": "memcached"} {
		_, err := ec.CreateCacheCluster(ctx, &elasticache.CreateCacheClusterInput{CacheClusterId: aws.String(id), Engine: aws.String(engine),
			CacheNodeType: aws.String("cache.t3.micro"), NumCacheNodes: aws.Int32(1), SnapshotRetentionLimit: aws.Int32(1)})
		must(t, err)
	}

	items := snapshotItems(t, m, account, region)
	got := map[string]string{}
	ruleIDs := []string{"CLOUDWATCH_ALARM_ACTION_CHECK", "CLOUDWATCH_ALARM_ACTION_ENABLED_CHECK", "ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK"}
	results := map[string]string{}
	for _, it := range items {
		switch it.ResourceType {
		case "AWS::CloudWatch::Alarm":
			var c struct {
				AlarmName, AlarmArn, MetricName string
				ActionsEnabled                  bool
				AlarmActions, Okactions         []string
				OKActions                       []string `json:"oKActions"`
			}
			must(t, json.Unmarshal(it.Configuration, &c))
			got[it.ResourceID] = mustString(t, []any{it.ARN, c.AlarmName, c.AlarmArn, c.MetricName, c.ActionsEnabled, c.AlarmActions, c.Okactions, c.OKActions == nil})
		case "AWS::ElastiCache::CacheCluster", "AWS::ElastiCache::ReplicationGroup":
			var c struct {
				ARN                                string `json:"aRN"`
				Engine, ReplicationGroupID, Status string
				CacheClusterID                     string `json:"cacheClusterId"`
				SnapshotRetentionLimit             int
			}
			must(t, json.Unmarshal(it.Configuration, &c))
			got[it.ResourceID] = mustString(t, []any{it.ResourceType, it.ARN == c.ARN && c.ARN != "", c.CacheClusterID, c.Engine, c.ReplicationGroupID, c.SnapshotRetentionLimit})
		default:
			continue
		}
		for _, id := range ruleIDs {
			rule, err := rules.Get(id)
			must(t, err)
			check, err := rule.Bind(nil)
			must(t, err)
			res, err := check.EvaluateItem(it, rules.Env{})
			must(t, err)
			if res.ComplianceType != rules.NotApplicable {
				results[id+" "+it.ResourceID] = string(res.ComplianceType)
			}
		}
	}
	arn := "arn:aws:cloudwatch:" + region + ":" + account + ":alarm:"
	want := map[string]string{
		"paged":  mustString(t, []any{arn + "paged", "paged", arn + "paged", "CPUUtilization", true, []string{topic}, []string{topic}, true}),
		"silent": mustString(t, []any{arn + "silent", "silent", arn + "silent", "CPUUtilization", false, []string{}, []string{}, true}),
		"group":  mustString(t, []any{"AWS::ElastiCache::ReplicationGroup", true, "", "redis", "group", 20}),
		"solo":   mustString(t, []any{"AWS::ElastiCache::CacheCluster", true, "solo", "redis", "", 1}),
		"memo":   mustString(t, []any{"AWS::ElastiCache::CacheCluster", true, "memo", "memcached", "", 1}),
	}
	for id := range got {
		if id == "group-001" { // moto lists the group's member cluster too
			delete(got, id)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("CIs (-want +got):\n%s", d)
	}
	wantResults := map[string]string{
		"CLOUDWATCH_ALARM_ACTION_CHECK paged":                    "COMPLIANT",
		"CLOUDWATCH_ALARM_ACTION_CHECK silent":                   "NON_COMPLIANT",
		"CLOUDWATCH_ALARM_ACTION_ENABLED_CHECK paged":            "COMPLIANT",
		"CLOUDWATCH_ALARM_ACTION_ENABLED_CHECK silent":           "NON_COMPLIANT",
		"ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK group": "COMPLIANT",
		"ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK solo":  "NON_COMPLIANT",
	}
	if d := cmp.Diff(wantResults, results); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
}
