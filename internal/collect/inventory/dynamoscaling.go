package inventory

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
)

// dynamoScaling is the Application Auto Scaling of the region's DynamoDB tables and
// global secondary indexes, by table name.
type dynamoScaling struct {
	targets  map[string][]aastypes.ScalableTarget
	policies map[string][]aastypes.ScalingPolicy
}

// collectDynamoScaling reads every DynamoDB scalable target and scaling policy of the
// region (DescribeScalableTargets, DescribeScalingPolicies, all pages). It returns nil
// and the error in skipped when Application Auto Scaling is unavailable here.
func collectDynamoScaling(ctx context.Context, r *run) (s *dynamoScaling, skipped, err error) {
	c := aas.NewFromConfig(r.cfg)
	s = &dynamoScaling{targets: map[string][]aastypes.ScalableTarget{}, policies: map[string][]aastypes.ScalingPolicy{}}
	tp := aas.NewDescribeScalableTargetsPaginator(c, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceDynamodb})
	for tp.HasMorePages() {
		out, err := tp.NextPage(ctx)
		if unavailable(err) {
			return nil, err, nil
		}
		if err != nil {
			return nil, nil, err
		}
		for _, t := range out.ScalableTargets {
			name := dynamoTableOf(aws.ToString(t.ResourceId))
			s.targets[name] = append(s.targets[name], t)
		}
	}
	pp := aas.NewDescribeScalingPoliciesPaginator(c, &aas.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceDynamodb})
	for pp.HasMorePages() {
		out, err := pp.NextPage(ctx)
		if unavailable(err) {
			return nil, err, nil
		}
		if err != nil {
			return nil, nil, err
		}
		for _, p := range out.ScalingPolicies {
			name := dynamoTableOf(aws.ToString(p.ResourceId))
			s.policies[name] = append(s.policies[name], p)
		}
	}
	return s, nil, nil
}

// dynamoTableOf returns the table name of an Application Auto Scaling resource id:
// table/NAME or table/NAME/index/INDEX.
func dynamoTableOf(resourceID string) string {
	name := strings.TrimPrefix(resourceID, "table/")
	if i := strings.Index(name, "/index/"); i >= 0 {
		name = name[:i]
	}
	return name
}

// supplementary adds the table's scalable targets and scaling policies, camel-cased
// (resourceId, scalableDimension, minCapacity, maxCapacity; policyType,
// targetTrackingScalingPolicyConfiguration.targetValue), as ScalableTargets and
// ScalingPolicies; an empty list when the table has none.
func (s *dynamoScaling) supplementary(table string, sup map[string]json.RawMessage) error {
	var err error
	if sup["ScalableTargets"], err = configJSON(nonNil(s.targets[table])); err != nil {
		return err
	}
	sup["ScalingPolicies"], err = configJSON(nonNil(s.policies[table]))
	return err
}
