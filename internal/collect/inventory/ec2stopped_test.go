package inventory_test

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestStoppedInstances seeds a running and a stopped instance, collects a snapshot, and
// checks that the stopped instance's CI carries EC2's stop time in stateTransitionReason
// (moto writes UTC where EC2 writes GMT),
// so that EC2_STOPPED_INSTANCE tells an instance stopped within AllowedDays from one
// stopped for longer (the clock is moved past the stop instead of waiting).
func TestStoppedInstances(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	e := ec2.NewFromConfig(m.Config())
	var ids []string
	for range 2 {
		out, err := e.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
		must(t, err)
		ids = append(ids, aws.ToString(out.Instances[0].InstanceId))
	}
	running, stopped := ids[0], ids[1]
	_, err := e.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{stopped}})
	must(t, err)

	items := snapshotItems(t, m, "123456789012", mototest.Region)
	reason := ""
	for _, it := range items {
		if it.ResourceID == stopped {
			var conf struct{ StateTransitionReason string }
			must(t, json.Unmarshal(it.Configuration, &conf))
			reason = conf.StateTransitionReason
		}
	}
	if !regexp.MustCompile(`^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (GMT|UTC)\)$`).MatchString(reason) {
		t.Fatalf("stateTransitionReason of the stopped instance = %q, want EC2's User initiated (time GMT|UTC)", reason)
	}
	rule, err := rules.Get("EC2_STOPPED_INSTANCE")
	must(t, err)
	check, err := rule.Bind(map[string]string{"AllowedDays": "30"})
	must(t, err)
	for _, tc := range []struct {
		name  string
		later time.Duration
		want  map[string]string
	}{
		{"a day later", 24 * time.Hour, map[string]string{running: "COMPLIANT", stopped: "COMPLIANT"}},
		{"31 days later", 31 * 24 * time.Hour, map[string]string{running: "COMPLIANT", stopped: "NON_COMPLIANT"}},
	} {
		got := map[string]string{}
		for _, it := range items {
			if it.ResourceType != "AWS::EC2::Instance" {
				continue
			}
			res, err := check.EvaluateItem(it, rules.Env{Now: time.Now().Add(tc.later)})
			must(t, err)
			got[it.ResourceID] = string(res.ComplianceType)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}
