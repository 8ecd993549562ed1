package inventory_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestDynamoAutoScaling seeds a provisioned table whose capacity and index capacity
// auto scale, a provisioned table that does not and an on-demand one; it collects a
// snapshot and checks the tables' supplementaryConfiguration ScalableTargets and
// ScalingPolicies (Application Auto Scaling camel-cased, by table) and
// DYNAMODB_AUTOSCALING_ENABLED on them.
func TestDynamoAutoScaling(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	db := dynamodb.NewFromConfig(cfg)
	keys := []dynamotypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: dynamotypes.KeyTypeHash}}
	attrs := []dynamotypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: dynamotypes.ScalarAttributeTypeS},
		{AttributeName: aws.String("day"), AttributeType: dynamotypes.ScalarAttributeTypeS}}
	throughput := &dynamotypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)}
	for _, name := range []string{"scaled", "fixed"} {
		_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(name), KeySchema: keys, AttributeDefinitions: attrs,
			BillingMode: dynamotypes.BillingModeProvisioned, ProvisionedThroughput: throughput,
			GlobalSecondaryIndexes: []dynamotypes.GlobalSecondaryIndex{{IndexName: aws.String("by-day"),
				KeySchema:  []dynamotypes.KeySchemaElement{{AttributeName: aws.String("day"), KeyType: dynamotypes.KeyTypeHash}},
				Projection: &dynamotypes.Projection{ProjectionType: dynamotypes.ProjectionTypeAll}, ProvisionedThroughput: throughput}}})
		must(t, err)
	}
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("ondemand"), KeySchema: keys,
		AttributeDefinitions: attrs[:1], BillingMode: dynamotypes.BillingModePayPerRequest})
	must(t, err)
	a := aas.NewFromConfig(cfg)
	for _, s := range []struct{ res, dim string }{{"table/scaled", "dynamodb:table:ReadCapacityUnits"}, {"table/scaled", "dynamodb:table:WriteCapacityUnits"},
		{"table/scaled/index/by-day", "dynamodb:index:ReadCapacityUnits"}, {"table/scaled/index/by-day", "dynamodb:index:WriteCapacityUnits"}} {
		_, err := a.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceDynamodb,
			ResourceId: aws.String(s.res), ScalableDimension: aastypes.ScalableDimension(s.dim), MinCapacity: aws.Int32(5), MaxCapacity: aws.Int32(100)})
		must(t, err)
		_, err = a.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("track"), ServiceNamespace: aastypes.ServiceNamespaceDynamodb,
			ResourceId: aws.String(s.res), ScalableDimension: aastypes.ScalableDimension(s.dim), PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
			TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(70),
				PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeDynamoDBReadCapacityUtilization}}})
		must(t, err)
	}

	items := snapshotItems(t, m, "123456789012", mototest.Region)
	type scaling struct {
		Targets  []string
		Policies []string
	}
	got := map[string]scaling{}
	for _, it := range items {
		if it.ResourceType != "AWS::DynamoDB::Table" {
			continue
		}
		var targets []struct {
			ResourceID        string `json:"resourceId"`
			ScalableDimension string `json:"scalableDimension"`
			MinCapacity       int    `json:"minCapacity"`
			MaxCapacity       int    `json:"maxCapacity"`
		}
		var policies []struct {
			ResourceID        string `json:"resourceId"`
			ScalableDimension string `json:"scalableDimension"`
			PolicyType        string `json:"policyType"`
			Config            struct {
				TargetValue float64 `json:"targetValue"`
			} `json:"targetTrackingScalingPolicyConfiguration"`
		}
		must(t, json.Unmarshal(it.Supplementary["ScalableTargets"], &targets))
		must(t, json.Unmarshal(it.Supplementary["ScalingPolicies"], &policies))
		s := scaling{Targets: []string{}, Policies: []string{}}
		for _, x := range targets {
			s.Targets = append(s.Targets, x.ResourceID+" "+x.ScalableDimension+" "+mustString(t, []int{x.MinCapacity, x.MaxCapacity}))
		}
		for _, x := range policies {
			s.Policies = append(s.Policies, x.ResourceID+" "+x.ScalableDimension+" "+x.PolicyType+" "+mustString(t, x.Config.TargetValue))
		}
		got[it.ResourceID] = s
	}
	want := map[string]scaling{
		"scaled": {
			Targets: []string{"table/scaled dynamodb:table:ReadCapacityUnits [5,100]", "table/scaled dynamodb:table:WriteCapacityUnits [5,100]",
				"table/scaled/index/by-day dynamodb:index:ReadCapacityUnits [5,100]", "table/scaled/index/by-day dynamodb:index:WriteCapacityUnits [5,100]"},
			Policies: []string{"table/scaled dynamodb:table:ReadCapacityUnits TargetTrackingScaling 70", "table/scaled dynamodb:table:WriteCapacityUnits TargetTrackingScaling 70",
				"table/scaled/index/by-day dynamodb:index:ReadCapacityUnits TargetTrackingScaling 70", "table/scaled/index/by-day dynamodb:index:WriteCapacityUnits TargetTrackingScaling 70"},
		},
		"fixed":    {Targets: []string{}, Policies: []string{}},
		"ondemand": {Targets: []string{}, Policies: []string{}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("auto scaling (-want +got):\n%s", d)
	}
	rule, err := rules.Get("DYNAMODB_AUTOSCALING_ENABLED")
	must(t, err)
	check, err := rule.Bind(map[string]string{"minProvisionedReadCapacity": "5", "targetWriteUtilization": "70"})
	must(t, err)
	results := map[string]string{}
	for _, it := range items {
		if it.ResourceType == "AWS::DynamoDB::Table" {
			res, err := check.EvaluateItem(it, rules.Env{})
			must(t, err)
			results[it.ResourceID] = string(res.ComplianceType)
		}
	}
	if d := cmp.Diff(map[string]string{"scaled": "COMPLIANT", "fixed": "NON_COMPLIANT", "ondemand": "COMPLIANT"}, results); d != "" {
		t.Errorf("DYNAMODB_AUTOSCALING_ENABLED (-want +got):\n%s", d)
	}
}
