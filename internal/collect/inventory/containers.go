package inventory

import (
	"context"
	"encoding/json"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
)

// ecsDescribeBatch is the most ECS clusters or services one Describe call takes.
const ecsDescribeBatch = 10

// keyValues returns tags as CloudFormation's list of {Key, Value}, never null.
func keyValues[T any](tags []T, kv func(T) (key, value *string)) []map[string]string {
	out := make([]map[string]string, 0, len(tags))
	for _, t := range tags {
		k, v := kv(t)
		out = append(out, map[string]string{"Key": aws.ToString(k), "Value": aws.ToString(v)})
	}
	return out
}

// collectEKS records EKS clusters (AWS::EKS::Cluster, the name as resource id) with
// CloudFormation's member names, as AWS Config's example CI has them: Name, Arn, Version,
// RoleArn, ResourcesVpcConfig (SubnetIds, SecurityGroupIds, EndpointPublicAccess,
// EndpointPrivateAccess, PublicAccessCidrs), EncryptionConfig ([{Resources, Provider:
// {KeyArn}}]), Logging.ClusterLogging.EnabledTypes ([{Type}], the enabled log types) and
// Tags ([{Key, Value}]).
func collectEKS(ctx context.Context, r *run) error {
	c := eks.NewFromConfig(r.cfg)
	var names []string
	p := eks.NewListClustersPaginator(c, &eks.ListClustersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		names = append(names, out.Clusters...)
	}
	return r.each(ctx, len(names), func(ctx context.Context, i int) error {
		out, err := c.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(names[i])})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		cl := out.Cluster
		conf := map[string]any{"Name": aws.ToString(cl.Name), "Arn": aws.ToString(cl.Arn), "Version": aws.ToString(cl.Version), "RoleArn": aws.ToString(cl.RoleArn)}
		if v := cl.ResourcesVpcConfig; v != nil {
			conf["ResourcesVpcConfig"] = map[string]any{"SubnetIds": nonNil(v.SubnetIds), "SecurityGroupIds": nonNil(v.SecurityGroupIds),
				"EndpointPublicAccess": v.EndpointPublicAccess, "EndpointPrivateAccess": v.EndpointPrivateAccess, "PublicAccessCidrs": nonNil(v.PublicAccessCidrs)}
		}
		enc := []map[string]any{}
		for _, e := range cl.EncryptionConfig {
			ec := map[string]any{"Resources": nonNil(e.Resources)}
			if e.Provider != nil {
				ec["Provider"] = map[string]any{"KeyArn": aws.ToString(e.Provider.KeyArn)}
			}
			enc = append(enc, ec)
		}
		conf["EncryptionConfig"] = enc
		types := []map[string]string{}
		if cl.Logging != nil {
			for _, l := range cl.Logging.ClusterLogging {
				if aws.ToBool(l.Enabled) {
					for _, t := range l.Types {
						types = append(types, map[string]string{"Type": string(t)})
					}
				}
			}
		}
		conf["Logging"] = map[string]any{"ClusterLogging": map[string]any{"EnabledTypes": types}}
		tags := make([]map[string]string, 0, len(cl.Tags))
		for _, k := range slices.Sorted(maps.Keys(cl.Tags)) {
			tags = append(tags, map[string]string{"Key": k, "Value": cl.Tags[k]})
		}
		conf["Tags"] = tags
		b, err := json.Marshal(conf)
		if err != nil {
			return err
		}
		var tm map[string]string
		if len(cl.Tags) > 0 {
			tm = cl.Tags
		}
		r.add(Item{ARN: aws.ToString(cl.Arn), ResourceType: "AWS::EKS::Cluster", ResourceID: aws.ToString(cl.Name), ResourceName: aws.ToString(cl.Name),
			Zone: "Regional", Created: timeString(cl.CreatedAt), Tags: tm, Configuration: b})
		return nil
	})
}

// collectECR records private ECR repositories (AWS::ECR::Repository, the name as resource
// id) with CloudFormation's member names, as AWS Config's example CI has them:
// RepositoryName, Arn, ImageScanningConfiguration.ScanOnPush, ImageTagMutability,
// EncryptionConfiguration, LifecyclePolicy ({LifecyclePolicyText, RegistryId}, {} without
// one), Tags; and the registry's scanning rules as the fact
// ecr.RegistryScanningConfiguration (GetRegistryScanningConfiguration's
// scanningConfiguration), left out, with the skip recorded, where it cannot be read.
func collectECR(ctx context.Context, r *run) error {
	c := ecr.NewFromConfig(r.cfg)
	var repos []ecrtypes.Repository
	p := ecr.NewDescribeRepositoriesPaginator(c, &ecr.DescribeRepositoriesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		repos = append(repos, out.Repositories...)
	}
	scan, err := c.GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
	switch {
	case unavailable(err):
		r.skip("ecr.registryScanning", err)
	case err != nil:
		return err
	default:
		sc, err := configJSON(scan.ScanningConfiguration)
		if err != nil {
			return err
		}
		r.fact("ecr.RegistryScanningConfiguration", sc)
	}
	return r.each(ctx, len(repos), func(ctx context.Context, i int) error {
		repo := repos[i]
		conf := map[string]any{"RepositoryName": aws.ToString(repo.RepositoryName), "Arn": aws.ToString(repo.RepositoryArn),
			"ImageTagMutability": repo.ImageTagMutability, "RepositoryPolicyText": map[string]any{}}
		if s := repo.ImageScanningConfiguration; s != nil {
			conf["ImageScanningConfiguration"] = map[string]any{"ScanOnPush": s.ScanOnPush}
		}
		if e := repo.EncryptionConfiguration; e != nil {
			ec := map[string]any{"EncryptionType": e.EncryptionType}
			if e.KmsKey != nil {
				ec["KmsKey"] = aws.ToString(e.KmsKey)
			}
			conf["EncryptionConfiguration"] = ec
		}
		lc, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: repo.RepositoryName, RegistryId: repo.RegistryId})
		switch code := errorCode(err); {
		case code == "LifecyclePolicyNotFoundException":
			conf["LifecyclePolicy"] = map[string]any{}
		case code == "RepositoryNotFoundException":
			return nil // deleted since it was listed
		case err != nil:
			return err
		default:
			conf["LifecyclePolicy"] = map[string]any{"LifecyclePolicyText": aws.ToString(lc.LifecyclePolicyText), "RegistryId": aws.ToString(lc.RegistryId)}
		}
		tags, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: repo.RepositoryArn})
		if err != nil {
			return err
		}
		conf["Tags"] = keyValues(tags.Tags, func(t ecrtypes.Tag) (*string, *string) { return t.Key, t.Value })
		b, err := json.Marshal(conf)
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(repo.RepositoryArn), ResourceType: "AWS::ECR::Repository", ResourceID: aws.ToString(repo.RepositoryName),
			ResourceName: aws.ToString(repo.RepositoryName), Zone: "Regional", Created: timeString(repo.CreatedAt),
			Tags: tagMap(tags.Tags, func(t ecrtypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: b})
		return nil
	})
}

// collectECSClusters records ECS clusters (AWS::ECS::Cluster, the name as resource id:
// ClusterName, Arn, ClusterSettings [{Name, Value}], CapacityProviders,
// DefaultCapacityProviderStrategy, Tags) and their services (AWS::ECS::Service, the
// service ARN as resource id: ServiceName, ServiceArn, Cluster, LaunchType,
// PlatformVersion, PlatformFamily, CapacityProviderStrategy, DesiredCount,
// TaskDefinition, DeploymentController, Tags), with CloudFormation's member names.
func collectECSClusters(ctx context.Context, r *run) error {
	c := ecs.NewFromConfig(r.cfg)
	var arns []string
	p := ecs.NewListClustersPaginator(c, &ecs.ListClustersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		arns = append(arns, out.ClusterArns...)
	}
	batches := (len(arns) + ecsDescribeBatch - 1) / ecsDescribeBatch
	return r.each(ctx, batches, func(ctx context.Context, b int) error {
		out, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: arns[b*ecsDescribeBatch : min((b+1)*ecsDescribeBatch, len(arns))],
			Include: []ecstypes.ClusterField{ecstypes.ClusterFieldSettings, ecstypes.ClusterFieldTags}})
		if err != nil {
			return err
		}
		for _, cl := range out.Clusters {
			settings := make([]map[string]string, 0, len(cl.Settings))
			for _, s := range cl.Settings {
				settings = append(settings, map[string]string{"Name": string(s.Name), "Value": aws.ToString(s.Value)})
			}
			strategy := make([]map[string]any, 0, len(cl.DefaultCapacityProviderStrategy))
			for _, s := range cl.DefaultCapacityProviderStrategy {
				strategy = append(strategy, map[string]any{"CapacityProvider": aws.ToString(s.CapacityProvider), "Weight": s.Weight, "Base": s.Base})
			}
			conf, err := json.Marshal(map[string]any{"ClusterName": aws.ToString(cl.ClusterName), "Arn": aws.ToString(cl.ClusterArn),
				"ClusterSettings": settings, "CapacityProviders": nonNil(cl.CapacityProviders), "DefaultCapacityProviderStrategy": strategy,
				"Tags": keyValues(cl.Tags, func(t ecstypes.Tag) (*string, *string) { return t.Key, t.Value })})
			if err != nil {
				return err
			}
			r.add(Item{ARN: aws.ToString(cl.ClusterArn), ResourceType: "AWS::ECS::Cluster", ResourceID: aws.ToString(cl.ClusterName),
				ResourceName: aws.ToString(cl.ClusterName), Zone: "Regional",
				Tags: tagMap(cl.Tags, func(t ecstypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf})
			if err := collectECSServices(ctx, r, c, aws.ToString(cl.ClusterArn)); err != nil {
				return err
			}
		}
		return nil
	})
}

// collectECSServices records the services of one cluster.
func collectECSServices(ctx context.Context, r *run, c *ecs.Client, cluster string) error {
	var arns []string
	p := ecs.NewListServicesPaginator(c, &ecs.ListServicesInput{Cluster: aws.String(cluster)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		arns = append(arns, out.ServiceArns...)
	}
	for b := 0; b < len(arns); b += ecsDescribeBatch {
		out, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: arns[b:min(b+ecsDescribeBatch, len(arns))],
			Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags}})
		if err != nil {
			return err
		}
		for _, s := range out.Services {
			strategy := make([]map[string]any, 0, len(s.CapacityProviderStrategy))
			for _, cp := range s.CapacityProviderStrategy {
				strategy = append(strategy, map[string]any{"CapacityProvider": aws.ToString(cp.CapacityProvider), "Weight": cp.Weight, "Base": cp.Base})
			}
			conf := map[string]any{"ServiceName": aws.ToString(s.ServiceName), "ServiceArn": aws.ToString(s.ServiceArn), "Cluster": aws.ToString(s.ClusterArn),
				"DesiredCount": s.DesiredCount, "TaskDefinition": aws.ToString(s.TaskDefinition), "CapacityProviderStrategy": strategy,
				"Tags": keyValues(s.Tags, func(t ecstypes.Tag) (*string, *string) { return t.Key, t.Value })}
			if s.LaunchType != "" {
				conf["LaunchType"] = s.LaunchType
			}
			if s.PlatformVersion != nil {
				conf["PlatformVersion"] = aws.ToString(s.PlatformVersion)
			}
			if s.PlatformFamily != nil {
				conf["PlatformFamily"] = aws.ToString(s.PlatformFamily)
			}
			if s.DeploymentController != nil {
				conf["DeploymentController"] = map[string]any{"Type": s.DeploymentController.Type}
			}
			b, err := json.Marshal(conf)
			if err != nil {
				return err
			}
			r.add(Item{ARN: aws.ToString(s.ServiceArn), ResourceType: "AWS::ECS::Service", ResourceID: aws.ToString(s.ServiceArn),
				ResourceName: aws.ToString(s.ServiceName), Zone: "Regional", Created: timeString(s.CreatedAt),
				Tags: tagMap(s.Tags, func(t ecstypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: b})
		}
	}
	return nil
}
