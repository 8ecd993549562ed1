package inventory

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// collectTaskDefinitions records the latest revision of each ECS task definition family,
// active or inactive (AWS::ECS::TaskDefinition, the family as resource id and
// family:revision as resource name, as AWS Config does), with DescribeTaskDefinition's
// members under the API's own names (ContainerDefinitions, NetworkMode, Status...),
// members without a value left out, and the tags as Tags, a list of {Key, Value}.
func collectTaskDefinitions(ctx context.Context, r *run) error {
	c := ecs.NewFromConfig(r.cfg)
	latest := map[string]string{} // family → ARN of its highest revision
	revision := map[string]int{}
	var families []string
	for _, st := range []ecstypes.TaskDefinitionStatus{ecstypes.TaskDefinitionStatusActive, ecstypes.TaskDefinitionStatusInactive} {
		p := ecs.NewListTaskDefinitionsPaginator(c, &ecs.ListTaskDefinitionsInput{Status: st})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, arn := range out.TaskDefinitionArns {
				fam, rev := taskDefinitionRevision(arn)
				if _, seen := latest[fam]; !seen {
					families = append(families, fam)
				}
				if _, seen := latest[fam]; !seen || rev > revision[fam] {
					latest[fam], revision[fam] = arn, rev
				}
			}
		}
	}
	return r.each(ctx, len(families), func(ctx context.Context, i int) error {
		out, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(latest[families[i]]),
			Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags}})
		if err != nil {
			return err
		}
		td := out.TaskDefinition
		conf, err := taskDefinitionJSON(td, out.Tags)
		if err != nil {
			return err
		}
		fam := aws.ToString(td.Family)
		r.add(Item{ARN: aws.ToString(td.TaskDefinitionArn), ResourceType: "AWS::ECS::TaskDefinition", ResourceID: fam,
			ResourceName: fam + ":" + strconv.Itoa(int(td.Revision)), Zone: "Regional", Created: timeString(td.RegisteredAt),
			Tags: tagMap(out.Tags, func(t ecstypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf})
		return nil
	})
}

// taskDefinitionRevision splits a task definition ARN (…:task-definition/FAMILY:REV)
// into its family and revision.
func taskDefinitionRevision(arn string) (string, int) {
	name := arn[strings.LastIndex(arn, "/")+1:]
	fam, rev, _ := strings.Cut(name, ":")
	n, _ := strconv.Atoi(rev)
	return fam, n
}

// taskDefinitionJSON returns td with the tags as Tags, the SDK's member names kept and
// null members left out, as AWS Config records task definitions.
func taskDefinitionJSON(td *ecstypes.TaskDefinition, tags []ecstypes.Tag) (json.RawMessage, error) {
	withholdTaskDefinition(td)
	x, err := genericJSON(struct {
		*ecstypes.TaskDefinition
		Tags []ecstypes.Tag
	}{td, nonNil(tags)})
	if err != nil {
		return nil, err
	}
	return json.Marshal(withoutNulls(x))
}

// withoutNulls drops the members whose value is null, at every depth.
func withoutNulls(x any) any {
	switch t := x.(type) {
	case map[string]any:
		for k, v := range t {
			if v == nil {
				delete(t, k)
				continue
			}
			t[k] = withoutNulls(v)
		}
	case []any:
		for i, v := range t {
			t[i] = withoutNulls(v)
		}
	}
	return x
}
