package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// collectTypes collects a snapshot of moto and returns it read back: the account facts
// and the items of the given types by resource id.
func collectTypes(t *testing.T, m *mototest.Server, account string, types ...string) (*ci.Account, map[string]*ci.Item, []byte) {
	t.Helper()
	return collectTypesWith(t, m.Config(), account, types...)
}

// collectTypesWith is collectTypes with the AWS configuration cfg (a recorded-response
// server in front of moto, say).
func collectTypesWith(t *testing.T, cfg aws.Config, account string, types ...string) (*ci.Account, map[string]*ci.Item, []byte) {
	t.Helper()
	snap, err := (&inventory.Inventory{}).Snapshot(context.Background(), cfg, inventory.Options{Account: account, Region: mototest.Region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	raw := bytes.Clone(buf.Bytes())
	dec := ci.NewDecoder(&buf)
	items := map[string]*ci.Item{}
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		if slices.Contains(types, it.ResourceType) {
			items[it.ResourceID] = it
		}
	}
	return dec.Account(), items, raw
}

// evaluateRule runs the rule with params on the snapshot and returns the result per resource id.
func evaluateRule(t *testing.T, raw []byte, id string, params map[string]string) map[string]string {
	t.Helper()
	rule, err := rules.Get(id)
	must(t, err)
	check, err := rule.Bind(params)
	must(t, err)
	got := map[string]string{}
	err = rules.Evaluate(check, ci.NewDecoder(bytes.NewReader(raw)), rules.Env{}, func(r rules.Result) error {
		got[r.ResourceID] = string(r.ComplianceType)
		return nil
	})
	must(t, err)
	return got
}

// compactJSON returns the item's configuration without insignificant space.
func compactJSON(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var buf bytes.Buffer
	must(t, json.Compact(&buf, raw))
	return buf.String()
}

// TestContainerResources seeds EKS clusters, ECR repositories and the registry's
// scanning rules, ECS clusters with a Fargate service, and EFS access points in moto,
// collects a snapshot, checks the CIs as AWS Config records them and evaluates the rules
// that read them.
func TestContainerResources(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	const key = "arn:aws:kms:" + region + ":" + account + ":key/k1"

	k := eks.NewFromConfig(cfg)
	_, err := k.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String("logged"), RoleArn: aws.String("arn:aws:iam::" + account + ":role/eks"), Version: aws.String("1.29"),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-1"}},
		Logging: &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{{Enabled: aws.Bool(true),
			Types: []ekstypes.LogType{"api", "audit", "authenticator", "controllerManager", "scheduler"}}}},
		EncryptionConfig: []ekstypes.EncryptionConfig{{Resources: []string{"secrets"}, Provider: &ekstypes.Provider{KeyArn: aws.String(key)}}},
		Tags:             map[string]string{"env": "prod"}})
	must(t, err)
	_, err = k.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String("plain"), RoleArn: aws.String("arn:aws:iam::" + account + ":role/eks"), Version: aws.String("1.28"),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-1"}}})
	must(t, err)

	e := ecr.NewFromConfig(cfg)
	for _, r := range []struct {
		name string
		scan bool
	}{{"prod-api", false}, {"web", true}, {"tools", false}} {
		_, err := e.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(r.name),
			ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: r.scan}})
		must(t, err)
	}
	const lifecycle = `{"rules":[{"rulePriority":1,"description":"expire untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`
	_, err = e.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("web"), LifecyclePolicyText: aws.String(lifecycle)})
	must(t, err)
	_, err = e.PutRegistryScanningConfiguration(ctx, &ecr.PutRegistryScanningConfigurationInput{ScanType: ecrtypes.ScanTypeEnhanced,
		Rules: []ecrtypes.RegistryScanningRule{{ScanFrequency: ecrtypes.ScanFrequencyContinuousScan,
			RepositoryFilters: []ecrtypes.ScanningRepositoryFilter{{Filter: aws.String("prod-*"), FilterType: ecrtypes.ScanningRepositoryFilterTypeWildcard}}}}})
	must(t, err)

	vpc, err := ec2.NewFromConfig(cfg).CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	must(t, err)
	subnet, err := ec2.NewFromConfig(cfg).CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.9.1.0/24")})
	must(t, err)
	sg, err := ec2.NewFromConfig(cfg).CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("app"), Description: aws.String("app"), VpcId: vpc.Vpc.VpcId})
	must(t, err)
	s := ecs.NewFromConfig(cfg)
	_, err = s.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("insights"),
		Settings: []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String("enabled")}}})
	must(t, err)
	_, err = s.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("dark")})
	must(t, err)
	_, err = s.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("app"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("app:1"), Memory: aws.Int32(512)}}})
	must(t, err)
	for _, sv := range []struct{ name, version string }{{"pinned", "1.3.0"}, {"latest", "LATEST"}} {
		_, err = s.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("insights"), ServiceName: aws.String(sv.name), TaskDefinition: aws.String("app"),
			DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, PlatformVersion: aws.String(sv.version),
			NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
				Subnets: []string{aws.ToString(subnet.Subnet.SubnetId)}, SecurityGroups: []string{aws.ToString(sg.GroupId)}}}})
		must(t, err)
	}

	f := efs.NewFromConfig(cfg)
	fs, err := f.CreateFileSystem(ctx, &efs.CreateFileSystemInput{CreationToken: aws.String("data")})
	must(t, err)
	good, err := f.CreateAccessPoint(ctx, &efs.CreateAccessPointInput{FileSystemId: fs.FileSystemId, ClientToken: aws.String("good"),
		PosixUser:     &efstypes.PosixUser{Uid: aws.Int64(1000), Gid: aws.Int64(1000)},
		RootDirectory: &efstypes.RootDirectory{Path: aws.String("/data")}})
	must(t, err)
	open, err := f.CreateAccessPoint(ctx, &efs.CreateAccessPointInput{FileSystemId: fs.FileSystemId, ClientToken: aws.String("open")})
	must(t, err)

	acct, items, raw := collectTypes(t, m, account, "AWS::EKS::Cluster", "AWS::ECR::Repository", "AWS::ECS::Cluster", "AWS::ECS::Service", "AWS::EFS::AccessPoint")

	eksARN := "arn:aws:eks:" + region + ":" + account + ":cluster/"
	configs := map[string]string{}
	for id, it := range items {
		configs[id] = compactJSON(t, it.Configuration)
	}
	pinned := "arn:aws:ecs:" + region + ":" + account + ":service/insights/pinned"
	latest := "arn:aws:ecs:" + region + ":" + account + ":service/insights/latest"
	want := map[string]string{
		"logged": `{"Arn":"` + eksARN + `logged","EncryptionConfig":[{"Provider":{"KeyArn":"` + key + `"},"Resources":["secrets"]}],` +
			`"Logging":{"ClusterLogging":{"EnabledTypes":[{"Type":"api"},{"Type":"audit"},{"Type":"authenticator"},{"Type":"controllerManager"},{"Type":"scheduler"}]}},` +
			`"Name":"logged","ResourcesVpcConfig":` + `%VPC%` + `,"RoleArn":"arn:aws:iam::` + account + `:role/eks","Tags":[{"Key":"env","Value":"prod"}],"Version":"1.29"}`,
		"web": `{"Arn":"arn:aws:ecr:` + region + `:` + account + `:repository/web","EncryptionConfiguration":{"EncryptionType":"AES256"},"ImageScanningConfiguration":{"ScanOnPush":true},"ImageTagMutability":"MUTABLE",` +
			`"LifecyclePolicy":{"LifecyclePolicyText":` + jsonString(lifecycle) + `,"RegistryId":"` + account + `"},"RepositoryName":"web","RepositoryPolicyText":{},"Tags":[]}`,
		aws.ToString(good.AccessPointId): `{"AccessPointId":"` + aws.ToString(good.AccessPointId) + `","AccessPointTags":[],"Arn":"` + aws.ToString(good.AccessPointArn) + `",` +
			`"FileSystemId":"` + aws.ToString(fs.FileSystemId) + `","PosixUser":{"Gid":"1000","SecondaryGids":[],"Uid":"1000"},"RootDirectory":{"Path":"/data"}}`,
	}
	// The VPC configuration's endpoint flags are moto's defaults; compare them as read.
	var vpcConf struct{ ResourcesVpcConfig json.RawMessage }
	must(t, json.Unmarshal(items["logged"].Configuration, &vpcConf))
	want["logged"] = replace(want["logged"], "%VPC%", compactJSON(t, vpcConf.ResourcesVpcConfig))
	for id, w := range want {
		if d := cmp.Diff(w, configs[id]); d != "" {
			t.Errorf("%s configuration (-want +got):\n%s", id, d)
		}
	}
	if it := items[pinned]; it == nil || it.ResourceName != "pinned" || it.ARN != pinned {
		t.Errorf("service pinned: got %+v", it)
	}
	if acct.ECRRegistryScanning == nil || !acct.ECRRegistryScanning.Scans("prod-api") || acct.ECRRegistryScanning.Scans("tools") {
		t.Errorf("ecr.RegistryScanningConfiguration: got %+v", acct.ECRRegistryScanning)
	}

	results := map[string]map[string]string{
		"EKS_CLUSTER_LOGGING_ENABLED":             evaluateRule(t, raw, "EKS_CLUSTER_LOGGING_ENABLED", nil),
		"EKS_CLUSTER_SECRETS_ENCRYPTED":           evaluateRule(t, raw, "EKS_CLUSTER_SECRETS_ENCRYPTED", nil),
		"EKS_CLUSTER_OLDEST_SUPPORTED_VERSION":    evaluateRule(t, raw, "EKS_CLUSTER_OLDEST_SUPPORTED_VERSION", map[string]string{"oldestVersionSupported": "1.28"}),
		"ECR_PRIVATE_IMAGE_SCANNING_ENABLED":      evaluateRule(t, raw, "ECR_PRIVATE_IMAGE_SCANNING_ENABLED", nil),
		"ECR_PRIVATE_LIFECYCLE_POLICY_CONFIGURED": evaluateRule(t, raw, "ECR_PRIVATE_LIFECYCLE_POLICY_CONFIGURED", nil),
		"ECS_CONTAINER_INSIGHTS_ENABLED":          evaluateRule(t, raw, "ECS_CONTAINER_INSIGHTS_ENABLED", nil),
		"ECS_FARGATE_LATEST_PLATFORM_VERSION":     evaluateRule(t, raw, "ECS_FARGATE_LATEST_PLATFORM_VERSION", nil),
		"EFS_ACCESS_POINT_ENFORCE_ROOT_DIRECTORY": evaluateRule(t, raw, "EFS_ACCESS_POINT_ENFORCE_ROOT_DIRECTORY", nil),
		"EFS_ACCESS_POINT_ENFORCE_USER_IDENTITY":  evaluateRule(t, raw, "EFS_ACCESS_POINT_ENFORCE_USER_IDENTITY", nil),
	}
	goodAP, openAP := aws.ToString(good.AccessPointId), aws.ToString(open.AccessPointId)
	wantResults := map[string]map[string]string{
		"EKS_CLUSTER_LOGGING_ENABLED":             {"logged": "COMPLIANT", "plain": "NON_COMPLIANT"},
		"EKS_CLUSTER_SECRETS_ENCRYPTED":           {"logged": "COMPLIANT", "plain": "NON_COMPLIANT"},
		"EKS_CLUSTER_OLDEST_SUPPORTED_VERSION":    {"logged": "COMPLIANT", "plain": "NON_COMPLIANT"},
		"ECR_PRIVATE_IMAGE_SCANNING_ENABLED":      {"prod-api": "COMPLIANT", "web": "COMPLIANT", "tools": "NON_COMPLIANT"},
		"ECR_PRIVATE_LIFECYCLE_POLICY_CONFIGURED": {"prod-api": "NON_COMPLIANT", "web": "COMPLIANT", "tools": "NON_COMPLIANT"},
		"ECS_CONTAINER_INSIGHTS_ENABLED":          {"insights": "COMPLIANT", "dark": "NON_COMPLIANT"},
		"ECS_FARGATE_LATEST_PLATFORM_VERSION":     {pinned: "NON_COMPLIANT", latest: "COMPLIANT"},
		"EFS_ACCESS_POINT_ENFORCE_ROOT_DIRECTORY": {goodAP: "COMPLIANT", openAP: "NON_COMPLIANT"},
		"EFS_ACCESS_POINT_ENFORCE_USER_IDENTITY":  {goodAP: "COMPLIANT", openAP: "NON_COMPLIANT"},
	}
	if d := cmp.Diff(wantResults, results); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

func replace(s, old, new string) string {
	return string(bytes.Replace([]byte(s), []byte(old), []byte(new), 1))
}
