package inventory_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	ostypes "github.com/aws/aws-sdk-go-v2/service/opensearch/types"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// mlCI is what the ML governance tests compare of a CI: identity, tags, the
// configuration members named (as JSON text) and rules' results.
type mlCI struct {
	ARN, Name string
	Tags      map[string]string
	Config    map[string]string
	Results   map[string]string
}

// mlView returns the CIs of resourceType by resource id, with the configuration members
// keys and the results of the rules (bound to params[rule]); NOT_APPLICABLE is "-".
func mlView(t *testing.T, items []*ci.Item, resourceType string, ruleIDs []string, params map[string]map[string]string, keys ...string) map[string]mlCI {
	t.Helper()
	out := map[string]mlCI{}
	for _, it := range items {
		if it.ResourceType != resourceType {
			continue
		}
		var conf map[string]json.RawMessage
		must(t, json.Unmarshal(it.Configuration, &conf))
		v := mlCI{ARN: it.ARN, Name: it.ResourceName, Tags: it.Tags, Config: map[string]string{}, Results: map[string]string{}}
		for _, k := range keys {
			if raw, ok := conf[k]; ok {
				v.Config[k] = string(raw)
			}
		}
		for _, id := range ruleIDs {
			r, err := rules.Get(id)
			must(t, err)
			check, err := r.Bind(params[id])
			must(t, err)
			res, err := check.EvaluateItem(it, rules.Env{})
			must(t, err)
			c := string(res.ComplianceType)
			if res.ComplianceType == rules.NotApplicable {
				c = "-"
			}
			v.Results[id] = c
		}
		out[it.ResourceID] = v
	}
	return out
}

// TestSageMakerModelsAndDomains seeds a model in a VPC with network isolation and a
// tag, one without either, and a VPC-only domain with a tag and a public one; it checks
// their CIs (models by name, domains by id, DescribeModel's and DescribeDomain's member
// names, tags) and the model, domain and tag rules on them (the tag rule wanting the key
// team). Moto answers DescribeModel with EnableNetworkIsolation false whatever the model
// was created with, and with an empty VpcConfig for a model without one (which the rule
// reads as no VPC); the rule's cases cover an isolated model.
func TestSageMakerModelsAndDomains(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	c := sagemaker.NewFromConfig(m.Config())
	role := aws.String("arn:aws:iam::123456789012:role/sm")
	image := &smtypes.ContainerDefinition{Image: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1")}
	_, err := c.CreateModel(ctx, &sagemaker.CreateModelInput{ModelName: aws.String("fenced"), ExecutionRoleArn: role, PrimaryContainer: image,
		EnableNetworkIsolation: aws.Bool(true), VpcConfig: &smtypes.VpcConfig{Subnets: []string{"subnet-1"}, SecurityGroupIds: []string{"sg-1"}},
		Tags: []smtypes.Tag{{Key: aws.String("team"), Value: aws.String("ml")}}})
	must(t, err)
	_, err = c.CreateModel(ctx, &sagemaker.CreateModelInput{ModelName: aws.String("open"), ExecutionRoleArn: role, PrimaryContainer: image})
	must(t, err)
	settings := &smtypes.UserSettings{ExecutionRole: role}
	_, err = c.CreateDomain(ctx, &sagemaker.CreateDomainInput{DomainName: aws.String("private"), AuthMode: smtypes.AuthModeIam, DefaultUserSettings: settings,
		SubnetIds: []string{"subnet-1"}, VpcId: aws.String("vpc-1"), AppNetworkAccessType: smtypes.AppNetworkAccessTypeVpcOnly,
		Tags: []smtypes.Tag{{Key: aws.String("team"), Value: aws.String("ml")}}})
	must(t, err)
	_, err = c.CreateDomain(ctx, &sagemaker.CreateDomainInput{DomainName: aws.String("public"), AuthMode: smtypes.AuthModeIam, DefaultUserSettings: settings,
		SubnetIds: []string{"subnet-1"}, VpcId: aws.String("vpc-1"), AppNetworkAccessType: smtypes.AppNetworkAccessTypePublicInternetOnly,
		Tags: []smtypes.Tag{{Key: aws.String("owner"), Value: aws.String("ana")}}}) // moto's ListTags fails on a domain without tags
	must(t, err)

	items, _ := dataSnapshot(t, m)
	arn := "arn:aws:sagemaker:us-east-1:123456789012:"
	modelRules := []string{"SAGEMAKER_MODEL_IN_VPC", "SAGEMAKER_MODEL_ISOLATION_ENABLED"}
	dataDiff(t, "models", map[string]mlCI{
		"fenced": {ARN: arn + "model/fenced", Name: "fenced", Tags: map[string]string{"team": "ml"},
			Config:  map[string]string{"ModelName": `"fenced"`, "EnableNetworkIsolation": "false", "VpcConfig": `{"SecurityGroupIds":["sg-1"],"Subnets":["subnet-1"]}`},
			Results: map[string]string{"SAGEMAKER_MODEL_IN_VPC": "COMPLIANT", "SAGEMAKER_MODEL_ISOLATION_ENABLED": "NON_COMPLIANT"}},
		"open": {ARN: arn + "model/open", Name: "open", Config: map[string]string{"ModelName": `"open"`, "EnableNetworkIsolation": "false", "VpcConfig": "{}"},
			Results: map[string]string{"SAGEMAKER_MODEL_IN_VPC": "NON_COMPLIANT", "SAGEMAKER_MODEL_ISOLATION_ENABLED": "NON_COMPLIANT"}},
	}, mlView(t, items, "AWS::SageMaker::Model", modelRules, nil, "ModelName", "EnableNetworkIsolation", "VpcConfig"))

	domainRules := []string{"SAGEMAKER_DOMAIN_IN_VPC", "SAGEMAKER_DOMAIN_TAGGED"}
	got := mlView(t, items, "AWS::SageMaker::Domain", domainRules, map[string]map[string]string{"SAGEMAKER_DOMAIN_TAGGED": {"requiredKeyTags": "team"}},
		"DomainName", "AppNetworkAccessType")
	byName := map[string]mlCI{}
	for id, v := range got {
		if !strings.HasSuffix(v.ARN, ":domain/"+id) {
			t.Errorf("domain %s: ARN %s does not name its id", id, v.ARN)
		}
		v.ARN = ""
		byName[v.Name] = v
	}
	dataDiff(t, "domains", map[string]mlCI{
		"private": {Name: "private", Tags: map[string]string{"team": "ml"}, Config: map[string]string{"DomainName": `"private"`, "AppNetworkAccessType": `"VpcOnly"`},
			Results: map[string]string{"SAGEMAKER_DOMAIN_IN_VPC": "COMPLIANT", "SAGEMAKER_DOMAIN_TAGGED": "COMPLIANT"}},
		"public": {Name: "public", Tags: map[string]string{"owner": "ana"}, Config: map[string]string{"DomainName": `"public"`, "AppNetworkAccessType": `"PublicInternetOnly"`},
			Results: map[string]string{"SAGEMAKER_DOMAIN_IN_VPC": "NON_COMPLIANT", "SAGEMAKER_DOMAIN_TAGGED": "NON_COMPLIANT"}},
	}, byName)
}

// TestGlueJobsAndAthenaCatalogs seeds a Spark job on Glue 4.0 with continuous logging
// and a tag, a Spark job on Glue 2.0 without logging, a Python shell job, and an Athena
// data catalog with a description and a tag and one without; it checks their CIs (jobs
// by name with GetJobs' members and the tags also as the configuration's Tags; catalogs
// by name) and the Glue job and catalog description rules on them.
func TestGlueJobsAndAthenaCatalogs(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	g := glue.NewFromConfig(m.Config())
	job := func(name, command, version string, args map[string]string, tags map[string]string) {
		t.Helper()
		_, err := g.CreateJob(ctx, &glue.CreateJobInput{Name: aws.String(name), Role: aws.String("arn:aws:iam::123456789012:role/glue"),
			Command:     &gluetypes.JobCommand{Name: aws.String(command), ScriptLocation: aws.String("s3://scripts/" + name + ".py")},
			GlueVersion: aws.String(version), DefaultArguments: args, Tags: tags})
		must(t, err)
	}
	job("logged", "glueetl", "4.0", map[string]string{"--enable-continuous-cloudwatch-log": "true"}, map[string]string{"team": "data"})
	job("quiet", "glueetl", "2.0", nil, nil)
	job("shell", "pythonshell", "1.0", map[string]string{"--enable-continuous-cloudwatch-log": "true"}, nil)
	a := athena.NewFromConfig(m.Config())
	_, err := a.CreateDataCatalog(ctx, &athena.CreateDataCatalogInput{Name: aws.String("sales"), Type: athenatypes.DataCatalogTypeGlue, Description: aws.String("Sales tables"),
		Parameters: map[string]string{"catalog-id": "123456789012"}, Tags: []athenatypes.Tag{{Key: aws.String("team"), Value: aws.String("data")}}})
	must(t, err)
	_, err = a.CreateDataCatalog(ctx, &athena.CreateDataCatalogInput{Name: aws.String("bare"), Type: athenatypes.DataCatalogTypeHive,
		Parameters: map[string]string{"metadata-function": "arn:aws:lambda:us-east-1:123456789012:function:hms"},
		Tags:       []athenatypes.Tag{{Key: aws.String("owner"), Value: aws.String("ana")}}}) // moto's ListTagsForResource fails on a catalog without tags
	must(t, err)

	items, _ := dataSnapshot(t, m)
	jobRules := []string{"GLUE_JOB_LOGGING_ENABLED", "GLUE_SPARK_JOB_SUPPORTED_VERSION"}
	params := map[string]map[string]string{"GLUE_SPARK_JOB_SUPPORTED_VERSION": {"minimumSupportedGlueVersion": "3.0"}}
	arn := "arn:aws:glue:us-east-1:123456789012:job/"
	dataDiff(t, "jobs", map[string]mlCI{
		"logged": {ARN: arn + "logged", Name: "logged", Tags: map[string]string{"team": "data"},
			Config: map[string]string{"GlueVersion": `"4.0"`, "Command": `{"Name":"glueetl","ScriptLocation":"s3://scripts/logged.py"}`,
				"DefaultArguments": `{"--enable-continuous-cloudwatch-log":"true"}`, "Tags": `{"team":"data"}`},
			Results: map[string]string{"GLUE_JOB_LOGGING_ENABLED": "COMPLIANT", "GLUE_SPARK_JOB_SUPPORTED_VERSION": "COMPLIANT"}},
		"quiet": {ARN: arn + "quiet", Name: "quiet",
			Config:  map[string]string{"GlueVersion": `"2.0"`, "Command": `{"Name":"glueetl","ScriptLocation":"s3://scripts/quiet.py"}`, "DefaultArguments": `{}`, "Tags": `{}`},
			Results: map[string]string{"GLUE_JOB_LOGGING_ENABLED": "NON_COMPLIANT", "GLUE_SPARK_JOB_SUPPORTED_VERSION": "NON_COMPLIANT"}},
		"shell": {ARN: arn + "shell", Name: "shell",
			Config: map[string]string{"GlueVersion": `"1.0"`, "Command": `{"Name":"pythonshell","ScriptLocation":"s3://scripts/shell.py"}`,
				"DefaultArguments": `{"--enable-continuous-cloudwatch-log":"true"}`, "Tags": `{}`},
			Results: map[string]string{"GLUE_JOB_LOGGING_ENABLED": "COMPLIANT", "GLUE_SPARK_JOB_SUPPORTED_VERSION": "-"}},
	}, mlView(t, items, "AWS::Glue::Job", jobRules, params, "GlueVersion", "Command", "DefaultArguments", "Tags"))

	catArn := "arn:aws:athena:us-east-1:123456789012:datacatalog/"
	dataDiff(t, "data catalogs", map[string]mlCI{
		"sales": {ARN: catArn + "sales", Name: "sales", Tags: map[string]string{"team": "data"},
			Config:  map[string]string{"Name": `"sales"`, "Type": `"GLUE"`, "Description": `"Sales tables"`},
			Results: map[string]string{"ATHENA_DATA_CATALOG_DESCRIPTION": "COMPLIANT"}},
		"bare": {ARN: catArn + "bare", Name: "bare", Tags: map[string]string{"owner": "ana"}, Config: map[string]string{"Name": `"bare"`, "Type": `"HIVE"`},
			Results: map[string]string{"ATHENA_DATA_CATALOG_DESCRIPTION": "NON_COMPLIANT"}},
	}, mlView(t, items, "AWS::Athena::DataCatalog", []string{"ATHENA_DATA_CATALOG_DESCRIPTION"}, nil, "Name", "Type", "Description"))

	var types []string
	for _, it := range items {
		if it.ResourceType == "AWS::SageMaker::Image" || it.ResourceType == "AWS::Glue::MLTransform" || it.ResourceType == "AWS::Athena::PreparedStatement" {
			types = append(types, it.ResourceType)
		}
	}
	sort.Strings(types)
	if len(types) > 0 {
		t.Errorf("items of types moto lacks the calls for: %v", types)
	}
}

// TestNewRulesOnCollectedTypes seeds resources of types the inventory already recorded,
// one that satisfies the new rules on them and one that does not, and evaluates those
// rules on the collected CIs: notebook instances (a subnet, root access disabled; moto
// records no PlatformIdentifier, so the platform rule finds neither supported), endpoint
// configurations (two instances against one), Athena workgroups (metrics, enforced
// configuration, a pinned engine and a description against none), OpenSearch domains
// (three dedicated primary nodes against none; moto records no ServiceSoftwareOptions)
// and Redshift clusters (database sales against the default dev).
func TestNewRulesOnCollectedTypes(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	sm := sagemaker.NewFromConfig(cfg)
	role := aws.String("arn:aws:iam::123456789012:role/sm")
	_, err := sm.CreateNotebookInstance(ctx, &sagemaker.CreateNotebookInstanceInput{NotebookInstanceName: aws.String("good"), InstanceType: smtypes.InstanceTypeMlT2Medium,
		RoleArn: role, SubnetId: aws.String("subnet-1"), SecurityGroupIds: []string{"sg-1"}, RootAccess: smtypes.RootAccessDisabled})
	must(t, err)
	_, err = sm.CreateNotebookInstance(ctx, &sagemaker.CreateNotebookInstanceInput{NotebookInstanceName: aws.String("bad"), InstanceType: smtypes.InstanceTypeMlT2Medium, RoleArn: role})
	must(t, err)
	_, err = sm.CreateModel(ctx, &sagemaker.CreateModelInput{ModelName: aws.String("m"), ExecutionRoleArn: role,
		PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1")}})
	must(t, err)
	for name, n := range map[string]int32{"good": 2, "bad": 1} {
		_, err = sm.CreateEndpointConfig(ctx, &sagemaker.CreateEndpointConfigInput{EndpointConfigName: aws.String(name), ProductionVariants: []smtypes.ProductionVariant{{
			VariantName: aws.String("v"), ModelName: aws.String("m"), InitialInstanceCount: aws.Int32(n), InstanceType: smtypes.ProductionVariantInstanceTypeMlT2Medium}}})
		must(t, err)
	}
	a := athena.NewFromConfig(cfg)
	_, err = a.CreateWorkGroup(ctx, &athena.CreateWorkGroupInput{Name: aws.String("good"), Description: aws.String("Analysts"), Configuration: &athenatypes.WorkGroupConfiguration{
		EnforceWorkGroupConfiguration: aws.Bool(true), PublishCloudWatchMetricsEnabled: aws.Bool(true), EngineVersion: &athenatypes.EngineVersion{SelectedEngineVersion: aws.String("AUTO")}}})
	must(t, err)
	_, err = a.CreateWorkGroup(ctx, &athena.CreateWorkGroupInput{Name: aws.String("bad"), Configuration: &athenatypes.WorkGroupConfiguration{
		EnforceWorkGroupConfiguration: aws.Bool(false), PublishCloudWatchMetricsEnabled: aws.Bool(false), EngineVersion: &athenatypes.EngineVersion{SelectedEngineVersion: aws.String("Athena engine version 3")}}})
	must(t, err)
	osc := opensearch.NewFromConfig(cfg)
	_, err = osc.CreateDomain(ctx, &opensearch.CreateDomainInput{DomainName: aws.String("good"), ClusterConfig: &ostypes.ClusterConfig{InstanceCount: aws.Int32(2),
		DedicatedMasterEnabled: aws.Bool(true), DedicatedMasterCount: aws.Int32(3), DedicatedMasterType: ostypes.OpenSearchPartitionInstanceTypeM5LargeSearch}})
	must(t, err)
	_, err = osc.CreateDomain(ctx, &opensearch.CreateDomainInput{DomainName: aws.String("bad")})
	must(t, err)
	rs := redshift.NewFromConfig(cfg)
	for name, db := range map[string]string{"good": "sales", "bad": "dev"} {
		_, err = rs.CreateCluster(ctx, &redshift.CreateClusterInput{ClusterIdentifier: aws.String(name), NodeType: aws.String("dc2.large"), ClusterType: aws.String("single-node"),
			MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("Passw0rd!"), DBName: aws.String(db)})
		must(t, err)
	}

	items, _ := dataSnapshot(t, m)
	params := map[string]map[string]string{"SAGEMAKER_NOTEBOOK_INSTANCE_PLATFORM_VERSION": {"supportedPlatformIdentifierVersions": "notebook-al2-v3"}}
	results := func(resourceType string, ruleIDs ...string) map[string]map[string]string {
		out := map[string]map[string]string{}
		for _, v := range mlView(t, items, resourceType, ruleIDs, params) {
			out[v.Name] = v.Results
		}
		return out
	}
	dataDiff(t, "notebook instances", map[string]map[string]string{
		"good": {"SAGEMAKER_NOTEBOOK_INSTANCE_INSIDE_VPC": "COMPLIANT", "SAGEMAKER_NOTEBOOK_INSTANCE_ROOT_ACCESS_CHECK": "COMPLIANT", "SAGEMAKER_NOTEBOOK_INSTANCE_PLATFORM_VERSION": "NON_COMPLIANT"},
		"bad":  {"SAGEMAKER_NOTEBOOK_INSTANCE_INSIDE_VPC": "NON_COMPLIANT", "SAGEMAKER_NOTEBOOK_INSTANCE_ROOT_ACCESS_CHECK": "NON_COMPLIANT", "SAGEMAKER_NOTEBOOK_INSTANCE_PLATFORM_VERSION": "NON_COMPLIANT"},
	}, results("AWS::SageMaker::NotebookInstance", "SAGEMAKER_NOTEBOOK_INSTANCE_INSIDE_VPC", "SAGEMAKER_NOTEBOOK_INSTANCE_ROOT_ACCESS_CHECK", "SAGEMAKER_NOTEBOOK_INSTANCE_PLATFORM_VERSION"))
	dataDiff(t, "endpoint configurations", map[string]map[string]string{
		"good": {"SAGEMAKER_ENDPOINT_CONFIG_PROD_INSTANCE_COUNT": "COMPLIANT"}, "bad": {"SAGEMAKER_ENDPOINT_CONFIG_PROD_INSTANCE_COUNT": "NON_COMPLIANT"},
	}, results("AWS::SageMaker::EndpointConfig", "SAGEMAKER_ENDPOINT_CONFIG_PROD_INSTANCE_COUNT"))
	wgRules := []string{"ATHENA_WORKGROUP_LOGGING_ENABLED", "ATHENA_WORKGROUP_ENFORCE_WORKGROUP_CONFIGURATION", "ATHENA_WORKGROUP_ENGINE_VERSION_AUTO_UPGRADE", "ATHENA_WORKGROUP_DESCRIPTION"}
	all := func(c string) map[string]string {
		out := map[string]string{}
		for _, r := range wgRules {
			out[r] = c
		}
		return out
	}
	got := results("AWS::Athena::WorkGroup", wgRules...)
	delete(got, "primary") // moto's default workgroup
	dataDiff(t, "workgroups", map[string]map[string]string{"good": all("COMPLIANT"), "bad": all("NON_COMPLIANT")}, got)
	dataDiff(t, "OpenSearch domains", map[string]map[string]string{
		"good": {"OPENSEARCH_PRIMARY_NODE_FAULT_TOLERANCE": "COMPLIANT", "OPENSEARCH_UPDATE_CHECK": "-"},
		"bad":  {"OPENSEARCH_PRIMARY_NODE_FAULT_TOLERANCE": "NON_COMPLIANT", "OPENSEARCH_UPDATE_CHECK": "-"},
	}, results("AWS::OpenSearch::Domain", "OPENSEARCH_PRIMARY_NODE_FAULT_TOLERANCE", "OPENSEARCH_UPDATE_CHECK"))
	dataDiff(t, "Redshift clusters", map[string]map[string]string{
		"good": {"REDSHIFT_DEFAULT_DB_NAME_CHECK": "COMPLIANT"}, "bad": {"REDSHIFT_DEFAULT_DB_NAME_CHECK": "NON_COMPLIANT"},
	}, results("AWS::Redshift::Cluster", "REDSHIFT_DEFAULT_DB_NAME_CHECK"))
}
