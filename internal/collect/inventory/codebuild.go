package inventory

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"

	"github.com/probity-dev/probity/internal/ci"
)

// codeBuildBatch is how many projects one BatchGetProjects call describes (its limit).
const codeBuildBatch = 100

// collectCodeBuild records CodeBuild projects (AWS::CodeBuild::Project) as AWS Config
// does: BatchGetProjects' members with their first letter in lower case, the primary
// source and artifacts as one-element lists beside the secondary ones (source,
// artifacts), queuedtimeoutInMinutes spelt as AWS Config spells it, tags as a list of
// {key, value}, and a relationship to the service role. The project's name is the
// resource id: the API does not return the project id AWS Config uses.
func collectCodeBuild(ctx context.Context, r *run) error {
	c := codebuild.NewFromConfig(r.cfg)
	var names []string
	p := codebuild.NewListProjectsPaginator(c, &codebuild.ListProjectsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		names = append(names, out.Projects...)
	}
	batches := (len(names) + codeBuildBatch - 1) / codeBuildBatch
	return r.each(ctx, batches, func(ctx context.Context, i int) error {
		out, err := c.BatchGetProjects(ctx, &codebuild.BatchGetProjectsInput{Names: names[i*codeBuildBatch : min((i+1)*codeBuildBatch, len(names))]})
		if err != nil {
			return err
		}
		for _, pr := range out.Projects {
			it, err := codeBuildItem(pr)
			if err != nil {
				return err
			}
			r.add(it)
		}
		return nil
	})
}

func codeBuildItem(pr cbtypes.Project) (Item, error) {
	withholdProject(&pr)
	raw, err := configJSON(pr)
	if err != nil {
		return Item{}, err
	}
	var conf map[string]json.RawMessage
	if err := json.Unmarshal(raw, &conf); err != nil {
		return Item{}, err
	}
	for _, k := range []string{"source", "artifacts"} {
		if v, ok := conf[k]; ok && string(v) != "null" {
			conf[k] = json.RawMessage("[" + string(v) + "]")
		}
	}
	if v, ok := conf["queuedTimeoutInMinutes"]; ok {
		delete(conf, "queuedTimeoutInMinutes")
		conf["queuedtimeoutInMinutes"] = v
	}
	for _, k := range []string{"tags", "secondarySources", "secondaryArtifacts", "secondarySourceVersions"} {
		if v, ok := conf[k]; !ok || string(v) == "null" {
			conf[k] = json.RawMessage("[]")
		}
	}
	b, err := json.Marshal(conf)
	if err != nil {
		return Item{}, err
	}
	name := aws.ToString(pr.Name)
	var rel []ci.Relationship
	if role := aws.ToString(pr.ServiceRole); role != "" {
		rel = append(rel, ci.Relationship{ResourceType: "AWS::IAM::Role", ResourceName: role[strings.LastIndex(role, "/")+1:], RelationshipName: "Is associated with "})
	}
	return Item{ARN: aws.ToString(pr.Arn), ResourceType: "AWS::CodeBuild::Project", ResourceID: name, ResourceName: name,
		Zone: "Not Applicable", Created: timeString(pr.Created), Relationships: rel,
		Tags: tagMap(pr.Tags, func(t cbtypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: b}, nil
}
