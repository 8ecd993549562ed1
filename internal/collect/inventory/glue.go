package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
)

// collectGlueJobs records Glue jobs (AWS::Glue::Job, the name as resource id) with
// GetJobs' members, which are CloudFormation's (Command, DefaultArguments, GlueVersion,
// WorkerType...), their tags (GetTags) also as the configuration's Tags object, as AWS
// Config's example CI has them.
func collectGlueJobs(ctx context.Context, r *run) error {
	c := glue.NewFromConfig(r.cfg)
	var items []Item
	p := glue.NewGetJobsPaginator(c, &glue.GetJobsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, j := range out.Jobs {
			m, err := genericObject(j)
			if err != nil {
				return err
			}
			delete(m, "CreatedOn")
			delete(m, "LastModifiedOn")
			name := aws.ToString(j.Name)
			items = append(items, Item{ARN: r.arn("glue", r.region, "job/"+name), ResourceType: "AWS::Glue::Job", ResourceID: name, ResourceName: name,
				Zone: "Regional", Created: timeString(j.CreatedOn), Configuration: glueJSON(m)})
		}
	}
	return r.glueTagged(ctx, c, items)
}

// collectGlueMLTransforms records Glue ML transforms (AWS::Glue::MLTransform, the
// transform id as resource id, its name as resource name) in CloudFormation's shape, as
// AWS Config's example CI has it: GetMLTransforms' TransformId as Id, Parameters as
// TransformParameters, InputRecordTables as {GlueTables: [...]}, TransformEncryption's
// MlUserDataEncryption as MLUserDataEncryption (MLUserDataEncryptionMode, KmsKeyId),
// without the status members (Status, CreatedOn, EvaluationMetrics, LabelCount, Schema),
// with its tags as the configuration's Tags object.
func collectGlueMLTransforms(ctx context.Context, r *run) error {
	c := glue.NewFromConfig(r.cfg)
	var items []Item
	p := glue.NewGetMLTransformsPaginator(c, &glue.GetMLTransformsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, t := range out.Transforms {
			m, err := genericObject(t)
			if err != nil {
				return err
			}
			for _, k := range []string{"Status", "CreatedOn", "LastModifiedOn", "EvaluationMetrics", "LabelCount", "Schema"} {
				delete(m, k)
			}
			glueRename(m, "TransformId", "Id")
			glueRename(m, "Parameters", "TransformParameters")
			if tables, ok := m["InputRecordTables"]; ok {
				m["InputRecordTables"] = map[string]any{"GlueTables": tables}
			}
			if enc, ok := m["TransformEncryption"].(map[string]any); ok {
				glueRename(enc, "MlUserDataEncryption", "MLUserDataEncryption")
				if ud, ok := enc["MLUserDataEncryption"].(map[string]any); ok {
					glueRename(ud, "MlUserDataEncryptionMode", "MLUserDataEncryptionMode")
				}
			}
			id := aws.ToString(t.TransformId)
			items = append(items, Item{ARN: r.arn("glue", r.region, "mlTransform/"+id), ResourceType: "AWS::Glue::MLTransform", ResourceID: id,
				ResourceName: aws.ToString(t.Name), Zone: "Regional", Created: timeString(t.CreatedOn), Configuration: glueJSON(m)})
		}
	}
	return r.glueTagged(ctx, c, items)
}

// glueTagged reads each item's tags (GetTags on its ARN), at most the run's concurrency
// at once, sets them as the item's tags and the configuration's Tags, and adds the
// items. An item deleted since it was listed is left out.
func (r *run) glueTagged(ctx context.Context, c *glue.Client, items []Item) error {
	return r.each(ctx, len(items), func(ctx context.Context, i int) error {
		it := items[i]
		out, err := c.GetTags(ctx, &glue.GetTagsInput{ResourceArn: aws.String(it.ARN)})
		if errorCode(err) == "EntityNotFoundException" {
			return nil
		}
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(it.Configuration, &m); err != nil {
			return err
		}
		tags := map[string]any{}
		for k, v := range out.Tags {
			tags[k] = v
		}
		m["Tags"] = tags
		if len(out.Tags) > 0 {
			it.Tags = out.Tags
		}
		conf, err := json.Marshal(dropEmpty(m))
		if err != nil {
			return err
		}
		it.Configuration = conf
		r.add(it)
		return nil
	})
}

// glueRename moves member from to to in m, when m has it.
func glueRename(m map[string]any, from, to string) {
	if v, ok := m[from]; ok {
		m[to] = v
		delete(m, from)
	}
}

// glueJSON encodes m, which came from decoding JSON and so always encodes.
func glueJSON(m map[string]any) json.RawMessage {
	b, _ := json.Marshal(m)
	return b
}
