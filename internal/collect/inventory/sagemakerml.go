package inventory

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// smResource is one SageMaker resource found by a list call: its CI identity and how to
// describe it.
type smResource struct {
	resourceType, id, name, arn string
	created                     *time.Time
	// describe returns the describe API's output and the members to rename to
	// CloudFormation's names (DescribeImage's Description is ImageDescription...).
	describe func(ctx context.Context) (any, map[string]string, error)
}

// collectSageMakerModels records SageMaker models (AWS::SageMaker::Model, by name) with
// DescribeModel's members (VpcConfig, EnableNetworkIsolation, PrimaryContainer...) and
// their tags.
func collectSageMakerModels(ctx context.Context, r *run) error {
	c := sagemaker.NewFromConfig(r.cfg)
	var list []smResource
	p := sagemaker.NewListModelsPaginator(c, &sagemaker.ListModelsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, m := range out.Models {
			name := aws.ToString(m.ModelName)
			list = append(list, smResource{resourceType: "AWS::SageMaker::Model", id: name, name: name, arn: aws.ToString(m.ModelArn), created: m.CreationTime,
				describe: func(ctx context.Context) (any, map[string]string, error) {
					d, err := c.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: aws.String(name)})
					return d, nil, err
				}})
		}
	}
	return r.sageMakerItems(ctx, c, list)
}

// collectSageMakerDomains records SageMaker domains (AWS::SageMaker::Domain, the domain
// id as resource id) with DescribeDomain's members (AppNetworkAccessType, VpcId,
// SubnetIds, KmsKeyId...) and their tags.
func collectSageMakerDomains(ctx context.Context, r *run) error {
	c := sagemaker.NewFromConfig(r.cfg)
	var list []smResource
	p := sagemaker.NewListDomainsPaginator(c, &sagemaker.ListDomainsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, d := range out.Domains {
			id := aws.ToString(d.DomainId)
			list = append(list, smResource{resourceType: "AWS::SageMaker::Domain", id: id, name: aws.ToString(d.DomainName), arn: aws.ToString(d.DomainArn), created: d.CreationTime,
				describe: func(ctx context.Context) (any, map[string]string, error) {
					d, err := c.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: aws.String(id)})
					return d, nil, err
				}})
		}
	}
	return r.sageMakerItems(ctx, c, list)
}

// collectSageMakerStudio records the Studio resources AWS Config reads for tags: images
// (AWS::SageMaker::Image, by name; DescribeImage with Description, DisplayName and
// RoleArn under CloudFormation's names ImageDescription, ImageDisplayName and
// ImageRoleArn), app image configurations (AWS::SageMaker::AppImageConfig, by name) and
// feature groups (AWS::SageMaker::FeatureGroup, by name), each with its tags.
func collectSageMakerStudio(ctx context.Context, r *run) error {
	c := sagemaker.NewFromConfig(r.cfg)
	var list []smResource
	ip := sagemaker.NewListImagesPaginator(c, &sagemaker.ListImagesInput{})
	for ip.HasMorePages() {
		out, err := ip.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, im := range out.Images {
			name := aws.ToString(im.ImageName)
			list = append(list, smResource{resourceType: "AWS::SageMaker::Image", id: name, name: name, arn: aws.ToString(im.ImageArn), created: im.CreationTime,
				describe: func(ctx context.Context) (any, map[string]string, error) {
					d, err := c.DescribeImage(ctx, &sagemaker.DescribeImageInput{ImageName: aws.String(name)})
					return d, map[string]string{"Description": "ImageDescription", "DisplayName": "ImageDisplayName", "RoleArn": "ImageRoleArn"}, err
				}})
		}
	}
	ap := sagemaker.NewListAppImageConfigsPaginator(c, &sagemaker.ListAppImageConfigsInput{})
	for ap.HasMorePages() {
		out, err := ap.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, a := range out.AppImageConfigs {
			name := aws.ToString(a.AppImageConfigName)
			list = append(list, smResource{resourceType: "AWS::SageMaker::AppImageConfig", id: name, name: name, arn: aws.ToString(a.AppImageConfigArn), created: a.CreationTime,
				describe: func(ctx context.Context) (any, map[string]string, error) {
					d, err := c.DescribeAppImageConfig(ctx, &sagemaker.DescribeAppImageConfigInput{AppImageConfigName: aws.String(name)})
					return d, nil, err
				}})
		}
	}
	fp := sagemaker.NewListFeatureGroupsPaginator(c, &sagemaker.ListFeatureGroupsInput{})
	for fp.HasMorePages() {
		out, err := fp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, f := range out.FeatureGroupSummaries {
			name := aws.ToString(f.FeatureGroupName)
			list = append(list, smResource{resourceType: "AWS::SageMaker::FeatureGroup", id: name, name: name, arn: aws.ToString(f.FeatureGroupArn), created: f.CreationTime,
				describe: func(ctx context.Context) (any, map[string]string, error) {
					d, err := c.DescribeFeatureGroup(ctx, &sagemaker.DescribeFeatureGroupInput{FeatureGroupName: aws.String(name)})
					return d, nil, err
				}})
		}
	}
	return r.sageMakerItems(ctx, c, list)
}

// sageMakerItems describes each listed resource and reads its tags, at most the run's
// concurrency at once, and adds its CI: the describe output's members (renamed where
// CloudFormation's name differs), without nulls and empty strings. A resource deleted
// since it was listed is left out.
func (r *run) sageMakerItems(ctx context.Context, c *sagemaker.Client, list []smResource) error {
	return r.each(ctx, len(list), func(ctx context.Context, i int) error {
		res := list[i]
		d, renames, err := res.describe(ctx)
		if sageMakerGone(err) {
			return nil
		}
		if err != nil {
			return err
		}
		m, err := genericObject(d)
		if err != nil {
			return err
		}
		for from, to := range renames {
			if v, ok := m[from]; ok {
				m[to] = v
				delete(m, from)
			}
		}
		conf, err := json.Marshal(dropEmpty(m))
		if err != nil {
			return err
		}
		tags, err := sageMakerTags(ctx, c, res.arn)
		if sageMakerGone(err) {
			return nil
		}
		if err != nil {
			return err
		}
		r.add(Item{ARN: res.arn, ResourceType: res.resourceType, ResourceID: res.id, ResourceName: res.name, Zone: "Regional",
			Created: timeString(res.created), Tags: tags, Configuration: conf})
		return nil
	})
}

// sageMakerTags returns the tags of a SageMaker resource (ListTags, every page).
func sageMakerTags(ctx context.Context, c *sagemaker.Client, arn string) (map[string]string, error) {
	var tags []smtypes.Tag
	p := sagemaker.NewListTagsPaginator(c, &sagemaker.ListTagsInput{ResourceArn: aws.String(arn)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		tags = append(tags, out.Tags...)
	}
	return tagMap(tags, func(t smtypes.Tag) (*string, *string) { return t.Key, t.Value }), nil
}
