package inventory_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
)

// TestSnapshotsWithholdSecrets seeds, in moto, every place the inventory reads where a
// secret commonly sits (a Lambda function's and an ECS container's environment
// variables, a CodeBuild project's plaintext variable and a token in its repository URL,
// a launch configuration's and a launch template's user data) and checks that the
// snapshot, which is evidence, holds none of the values but still names the variables,
// the parameter store reference and that the URL carries a credential.
func TestSnapshotsWithholdSecrets(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const secret = "s3cr3t-hunter2"
	const account = "123456789012"

	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fn"), AssumeRolePolicyDocument: aws.String("{}")})
	must(t, err)
	var code bytes.Buffer
	zw := zip.NewWriter(&code)
	w, err := zw.Create("index.py")
	must(t, err)
	_, err = w.Write([]byte("def handler(event, context):\n    pass\n"))
	must(t, err)
	must(t, zw.Close())
	_, err = lambda.NewFromConfig(cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("fn"), Role: role.Role.Arn,
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: code.Bytes()},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"DB_PASSWORD": secret}}})
	must(t, err)

	_, err = ecs.NewFromConfig(cfg).RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("app"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx"), Memory: aws.Int32(128),
			Environment: []ecstypes.KeyValuePair{{Name: aws.String("API_KEY"), Value: aws.String(secret)}}}}})
	must(t, err)

	_, err = codebuild.NewFromConfig(cfg).CreateProject(ctx, &codebuild.CreateProjectInput{Name: aws.String("build"),
		ServiceRole: aws.String("arn:aws:iam::" + account + ":role/builder"),
		Source:      &cbtypes.ProjectSource{Type: cbtypes.SourceTypeGithub, Location: aws.String("https://" + secret + "@github.com/example/app")},
		Artifacts:   &cbtypes.ProjectArtifacts{Type: cbtypes.ArtifactsTypeNoArtifacts},
		Environment: &cbtypes.ProjectEnvironment{Type: cbtypes.EnvironmentTypeLinuxContainer, Image: aws.String("aws/codebuild/standard:7.0"),
			ComputeType: cbtypes.ComputeTypeBuildGeneral1Small, EnvironmentVariables: []cbtypes.EnvironmentVariable{
				{Name: aws.String("TOKEN"), Value: aws.String(secret), Type: cbtypes.EnvironmentVariableTypePlaintext},
				{Name: aws.String("DB_PARAM"), Value: aws.String("/prod/db/password"), Type: cbtypes.EnvironmentVariableTypeParameterStore}}}})
	must(t, err)

	userData := base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\nexport PASSWORD=" + secret + "\n"))
	_, err = autoscaling.NewFromConfig(cfg).CreateLaunchConfiguration(ctx, &autoscaling.CreateLaunchConfigurationInput{
		LaunchConfigurationName: aws.String("lc"), ImageId: aws.String("ami-12c6146b"), InstanceType: aws.String("t3.micro"), UserData: aws.String(userData)})
	must(t, err)
	_, err = ec2.NewFromConfig(cfg).CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("lt"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-12c6146b"), UserData: aws.String(userData)}})
	must(t, err)

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: mototest.Region, Global: true})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	raw := buf.String()
	for _, leak := range []string{secret, userData} {
		if strings.Contains(raw, leak) {
			t.Errorf("the snapshot holds %q", leak)
		}
	}
	for _, kept := range []string{`"DB_PASSWORD":"(withheld)"`, `{"Name":"API_KEY","Value":"(withheld)"}`, `"name":"TOKEN","type":"PLAINTEXT","value":"(withheld)"`, `/prod/db/password`,
		`https://withheld@github.com/example/app`, `"userData":"(withheld)"`, `"UserData":"(withheld)"`} {
		if !strings.Contains(raw, kept) {
			t.Errorf("the snapshot lacks %s", kept)
		}
	}
}
