package rules

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// scalableTarget and scalingPolicy are the parts of Application Auto Scaling's
// ScalableTarget and ScalingPolicy (camel-cased) that DYNAMODB_AUTOSCALING_ENABLED reads.
type scalableTarget struct {
	ResourceID        string `json:"resourceId"`
	ScalableDimension string `json:"scalableDimension"`
	MinCapacity       *int   `json:"minCapacity"`
	MaxCapacity       *int   `json:"maxCapacity"`
}

type scalingPolicy struct {
	ResourceID        string `json:"resourceId"`
	ScalableDimension string `json:"scalableDimension"`
	PolicyType        string `json:"policyType"`
	Target            *struct {
		TargetValue *float64 `json:"targetValue"`
	} `json:"targetTrackingScalingPolicyConfiguration"`
}

var dynamoScalingRules = []*Rule{
	{
		ID: "DYNAMODB_AUTOSCALING_ENABLED",
		Description: "DynamoDB tables are on-demand, or auto scale the read and write capacity of the table and of every global secondary index " +
			"(supplementaryConfiguration ScalableTargets and ScalingPolicies), with the given minimum and maximum capacities and target utilizations.",
		Scope: []string{dynamoTable},
		Params: []Param{{Name: "minProvisionedReadCapacity", Type: Int}, {Name: "maxProvisionedReadCapacity", Type: Int}, {Name: "targetReadUtilization", Type: Double},
			{Name: "minProvisionedWriteCapacity", Type: Int}, {Name: "maxProvisionedWriteCapacity", Type: Int}, {Name: "targetWriteUtilization", Type: Double}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			t, err := cfg[struct {
				TableName          string `json:"tableName"`
				BillingModeSummary struct {
					BillingMode string `json:"billingMode"`
				} `json:"billingModeSummary"`
				GlobalSecondaryIndexes []struct {
					IndexName string `json:"indexName"`
				} `json:"globalSecondaryIndexes"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if strings.EqualFold(t.BillingModeSummary.BillingMode, "PAY_PER_REQUEST") {
				return Compliant, "The table is on-demand.", nil
			}
			var targets []scalableTarget
			var policies []scalingPolicy
			ok, err := it.DecodeSupplementary("ScalableTargets", &targets)
			if err != nil {
				return "", "", err
			}
			if !ok {
				return na("The item does not record the table's auto scaling (supplementaryConfiguration ScalableTargets).")
			}
			if _, err := it.DecodeSupplementary("ScalingPolicies", &policies); err != nil {
				return "", "", err
			}
			name := t.TableName
			if name == "" {
				name = it.ResourceID
			}
			type scaled struct{ resource, kind, what string }
			list := []scaled{{"table/" + name, "table", "the table"}}
			for _, ix := range t.GlobalSecondaryIndexes {
				list = append(list, scaled{"table/" + name + "/index/" + ix.IndexName, "index", "the index " + ix.IndexName})
			}
			for _, s := range list {
				for _, rw := range []string{"Read", "Write"} {
					dim := "dynamodb:" + s.kind + ":" + rw + "CapacityUnits"
					if note := checkScaling(a, rw, s.resource, dim, targets, policies); note != "" {
						return NonCompliant, fmt.Sprintf("%s capacity of %s %s.", rw, s.what, note), nil
					}
				}
			}
			return Compliant, "", nil
		},
	},
}

// checkScaling returns why the scaling of one resource and dimension fails the rule's
// parameters for rw ("Read" or "Write"), or "" when it passes.
func checkScaling(a Args, rw, resource, dim string, targets []scalableTarget, policies []scalingPolicy) string {
	var target *scalableTarget
	for i := range targets {
		if targets[i].ResourceID == resource && targets[i].ScalableDimension == dim {
			target = &targets[i]
		}
	}
	if target == nil {
		return "does not auto scale"
	}
	if p := "minProvisioned" + rw + "Capacity"; a.Set(p) && (target.MinCapacity == nil || *target.MinCapacity != a.Int(p)) {
		return "has a minimum other than " + p
	}
	if p := "maxProvisioned" + rw + "Capacity"; a.Set(p) && (target.MaxCapacity == nil || *target.MaxCapacity != a.Int(p)) {
		return "has a maximum other than " + p
	}
	if p := "target" + rw + "Utilization"; a.Set(p) {
		for _, pol := range policies {
			if pol.ResourceID == resource && pol.ScalableDimension == dim && pol.PolicyType == "TargetTrackingScaling" &&
				pol.Target != nil && pol.Target.TargetValue != nil && *pol.Target.TargetValue == a.Double(p) {
				return ""
			}
		}
		return "has no target tracking policy at " + p
	}
	return ""
}
