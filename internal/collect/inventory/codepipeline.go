package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
	cptypes "github.com/aws/aws-sdk-go-v2/service/codepipeline/types"
)

// collectPipelines records CodePipeline pipelines (AWS::CodePipeline::Pipeline, the name
// as resource id) as AWS Config's example CI has them: GetPipeline's pipeline and
// metadata camel-cased ({"pipeline": {name, roleArn, artifactStore, stages: [{name,
// actions: [{name, actionTypeId: {category, owner, provider, version}, runOrder,
// configuration...}]}], version}, "metadata": {pipelineArn, created, updated}}), each
// action's configuration keeping its keys' case.
func collectPipelines(ctx context.Context, r *run) error {
	c := codepipeline.NewFromConfig(r.cfg)
	var names []string
	p := codepipeline.NewListPipelinesPaginator(c, &codepipeline.ListPipelinesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range out.Pipelines {
			names = append(names, aws.ToString(s.Name))
		}
	}
	return r.each(ctx, len(names), func(ctx context.Context, i int) error {
		out, err := c.GetPipeline(ctx, &codepipeline.GetPipelineInput{Name: aws.String(names[i])})
		if errorCode(err) == "PipelineNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		conf, err := pipelineJSON(out.Pipeline, out.Metadata)
		if err != nil {
			return err
		}
		it := Item{ResourceType: "AWS::CodePipeline::Pipeline", ResourceID: names[i], ResourceName: names[i], Zone: "Regional", Configuration: conf}
		if out.Metadata != nil {
			it.ARN, it.Created = aws.ToString(out.Metadata.PipelineArn), timeString(out.Metadata.Created)
		}
		r.add(it)
		return nil
	})
}

// pipelineJSON returns the pipeline and its metadata camel-cased, with the actions'
// configuration maps as the API gives them.
func pipelineJSON(p *cptypes.PipelineDeclaration, meta *cptypes.PipelineMetadata) (json.RawMessage, error) {
	x, err := genericJSON(struct {
		Pipeline *cptypes.PipelineDeclaration
		Metadata *cptypes.PipelineMetadata
	}{p, meta})
	if err != nil {
		return nil, err
	}
	conf := withoutNulls(lowerKeys(x)).(map[string]any)
	if pl, ok := conf["pipeline"].(map[string]any); ok && p != nil {
		stages, _ := pl["stages"].([]any)
		for si, st := range stages {
			actions, _ := st.(map[string]any)["actions"].([]any)
			for ai, a := range actions {
				if si < len(p.Stages) && ai < len(p.Stages[si].Actions) && p.Stages[si].Actions[ai].Configuration != nil {
					a.(map[string]any)["configuration"] = p.Stages[si].Actions[ai].Configuration
				}
			}
		}
	}
	return json.Marshal(conf)
}
