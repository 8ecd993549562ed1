package inventory_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/mototest"
)

// TestTaskDefinitions registers ECS task definitions in moto (a hardened family with two
// revisions, a host-mode one running a privileged root container, and one deregistered),
// collects a snapshot, and checks that each family's latest revision is one CI with the
// API's member names and no null members, and the ECS rules on them.
func TestTaskDefinitions(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	const account, region = "123456789012", mototest.Region
	c := ecs.NewFromConfig(m.Config())
	hardened := ecstypes.ContainerDefinition{Name: aws.String("web"), Image: aws.String("nginx"), User: aws.String("1000"), Memory: aws.Int32(512),
		ReadonlyRootFilesystem: aws.Bool(true), Privileged: aws.Bool(false),
		LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{"awslogs-group": "/ecs/web"}}}
	for _, in := range []*ecs.RegisterTaskDefinitionInput{
		{Family: aws.String("web"), ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx"), Memory: aws.Int32(256)}}},
		{Family: aws.String("web"), NetworkMode: ecstypes.NetworkModeAwsvpc, RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityEc2},
			ContainerDefinitions: []ecstypes.ContainerDefinition{hardened}, Tags: []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}},
		{Family: aws.String("agent"), NetworkMode: ecstypes.NetworkModeHost, PidMode: ecstypes.PidModeHost,
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("agent"), Image: aws.String("agent"), User: aws.String("root"), MemoryReservation: aws.Int32(128),
				Environment: []ecstypes.KeyValuePair{{Name: aws.String("API_KEY"), Value: aws.String("x")}}}}},
		{Family: aws.String("old"), ContainerDefinitions: []ecstypes.ContainerDefinition{hardened}},
	} {
		_, err := c.RegisterTaskDefinition(ctx, in)
		must(t, err)
	}
	_, err := c.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("old:1")})
	must(t, err)

	type taskDef struct {
		ID, ARN, Name, Status, NetworkMode string
		Tags                               map[string]string
		Containers                         int
		HasNull                            bool
	}
	got := map[string]taskDef{}
	var items []*ci.Item
	for _, it := range snapshotItems(t, m, account, region) {
		if it.ResourceType != "AWS::ECS::TaskDefinition" {
			continue
		}
		items = append(items, it)
		var conf struct {
			Status, NetworkMode  string
			ContainerDefinitions []json.RawMessage
		}
		must(t, json.Unmarshal(it.Configuration, &conf))
		got[it.ResourceID] = taskDef{it.ResourceID, it.ARN, it.ResourceName, conf.Status, conf.NetworkMode, it.Tags, len(conf.ContainerDefinitions),
			hasNull(t, it.Configuration)}
	}
	arn := "arn:aws:ecs:" + region + ":" + account + ":task-definition/"
	want := map[string]taskDef{
		"web":   {"web", arn + "web:2", "web:2", "ACTIVE", "awsvpc", map[string]string{"team": "web"}, 1, false},
		"agent": {"agent", arn + "agent:1", "agent:1", "ACTIVE", "host", nil, 1, false},
		"old":   {"old", arn + "old:1", "old:1", "INACTIVE", "bridge", nil, 1, false},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("task definitions (-want +got):\n%s", d)
	}
	evalAll(t, items, map[string]map[string]string{
		"ECS_TASK_DEFINITION_USER_FOR_HOST_MODE_CHECK": {"web:2": "-", "agent:1": "NON_COMPLIANT", "old:1": "-"},
		"ECS_CONTAINERS_READONLY_ACCESS":               {"web:2": "COMPLIANT", "agent:1": "NON_COMPLIANT", "old:1": "COMPLIANT"},
		"ECS_TASK_DEFINITION_NONROOT_USER":             {"web:2": "COMPLIANT", "agent:1": "NON_COMPLIANT", "old:1": "COMPLIANT"},
		"ECS_CONTAINERS_NONPRIVILEGED":                 {"web:2": "COMPLIANT", "agent:1": "COMPLIANT", "old:1": "COMPLIANT"},
		"ECS_TASK_DEFINITION_PID_MODE_CHECK":           {"web:2": "COMPLIANT", "agent:1": "NON_COMPLIANT", "old:1": "COMPLIANT"},
		"ECS_TASK_DEFINITION_MEMORY_HARD_LIMIT":        {"web:2": "COMPLIANT", "agent:1": "NON_COMPLIANT", "old:1": "COMPLIANT"},
		"ECS_TASK_DEFINITION_LOG_CONFIGURATION":        {"web:2": "COMPLIANT", "agent:1": "NON_COMPLIANT", "old:1": "-"},
	})
}

// hasNull reports whether a JSON document holds a null anywhere.
func hasNull(t *testing.T, raw json.RawMessage) bool {
	t.Helper()
	var walk func(any) bool
	walk = func(x any) bool {
		switch v := x.(type) {
		case nil:
			return true
		case map[string]any:
			for _, e := range v {
				if walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range v {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	var x any
	must(t, json.Unmarshal(raw, &x))
	return walk(x)
}
