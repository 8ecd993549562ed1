package inventory_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
)

// motoS3Control sends S3 Control requests to moto's host, not to ACCOUNT.HOST as the
// SDK's endpoint rules would.
type motoS3Control struct{ base string }

func (m motoS3Control) ResolveEndpoint(ctx context.Context, p s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	u, err := url.Parse(m.base)
	if err != nil {
		return smithyendpoints.Endpoint{}, err
	}
	return smithyendpoints.Endpoint{URI: *u}, nil
}

// TestDeploymentGroupsAndAccessPoints seeds CodeDeploy deployment groups of a Lambda and
// a server application and two S3 access points in moto, collects a snapshot, checks the
// CIs and evaluates CODEDEPLOY_LAMBDA_ALLATONCE_TRAFFIC_SHIFT_DISABLED and
// S3_ACCESS_POINT_PUBLIC_ACCESS_BLOCKS on them.
func TestDeploymentGroupsAndAccessPoints(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account = "123456789012"
	cd := codedeploy.NewFromConfig(cfg)
	for _, app := range []struct {
		name     string
		platform cdtypes.ComputePlatform
		groups   map[string]string
	}{
		{"fn", cdtypes.ComputePlatformLambda, map[string]string{"at-once": "CodeDeployDefault.LambdaAllAtOnce", "canary": "CodeDeployDefault.LambdaCanary10Percent5Minutes"}},
		{"web", cdtypes.ComputePlatformServer, map[string]string{"fleet": "CodeDeployDefault.AllAtOnce"}},
	} {
		_, err := cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String(app.name), ComputePlatform: app.platform})
		must(t, err)
		for g, config := range app.groups {
			_, err := cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: aws.String(app.name), DeploymentGroupName: aws.String(g),
				ServiceRoleArn: aws.String("arn:aws:iam::" + account + ":role/deploy"), DeploymentConfigName: aws.String(config)})
			must(t, err)
		}
	}
	_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data-bucket")})
	must(t, err)
	sc := s3control.NewFromConfig(cfg, func(o *s3control.Options) { o.EndpointResolverV2 = motoS3Control{aws.ToString(cfg.BaseEndpoint)} })
	_, err = sc.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(account), Name: aws.String("closed"), Bucket: aws.String("data-bucket")})
	must(t, err)
	_, err = sc.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(account), Name: aws.String("open"), Bucket: aws.String("data-bucket"),
		PublicAccessBlockConfiguration: &s3ctypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
			BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}})
	must(t, err)

	_, items, raw := collectTypes(t, m, account, "AWS::CodeDeploy::DeploymentGroup", "AWS::S3::AccessPoint")
	type group struct{ ApplicationName, DeploymentGroupName, ComputePlatform, DeploymentConfigName string }
	groups := map[string]group{}
	aps := map[string]string{}
	for id, it := range items {
		switch it.ResourceType {
		case "AWS::CodeDeploy::DeploymentGroup":
			var g group
			must(t, json.Unmarshal(it.Configuration, &g))
			groups[id] = g
		case "AWS::S3::AccessPoint":
			var ap struct {
				Name, Bucket                   string
				PublicAccessBlockConfiguration json.RawMessage
			}
			must(t, json.Unmarshal(it.Configuration, &ap))
			aps[id] = ap.Name + " " + ap.Bucket + " " + compactJSON(t, ap.PublicAccessBlockConfiguration)
		}
	}
	wantGroups := map[string]group{
		"at-once": {"fn", "at-once", "Lambda", "CodeDeployDefault.LambdaAllAtOnce"},
		"canary":  {"fn", "canary", "Lambda", "CodeDeployDefault.LambdaCanary10Percent5Minutes"},
		"fleet":   {"web", "fleet", "Server", "CodeDeployDefault.AllAtOnce"},
	}
	if d := cmp.Diff(wantGroups, groups); d != "" {
		t.Errorf("deployment groups (-want +got):\n%s", d)
	}
	wantAPs := map[string]string{
		"closed": `closed data-bucket {"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}`,
		"open":   `open data-bucket {"BlockPublicAcls":true,"BlockPublicPolicy":false,"IgnorePublicAcls":true,"RestrictPublicBuckets":false}`,
	}
	if d := cmp.Diff(wantAPs, aps); d != "" {
		t.Errorf("access points (-want +got):\n%s", d)
	}
	results := map[string]map[string]string{
		"CODEDEPLOY_LAMBDA_ALLATONCE_TRAFFIC_SHIFT_DISABLED": evaluateRule(t, raw, "CODEDEPLOY_LAMBDA_ALLATONCE_TRAFFIC_SHIFT_DISABLED", nil),
		"S3_ACCESS_POINT_PUBLIC_ACCESS_BLOCKS":               evaluateRule(t, raw, "S3_ACCESS_POINT_PUBLIC_ACCESS_BLOCKS", nil),
	}
	wantResults := map[string]map[string]string{
		"CODEDEPLOY_LAMBDA_ALLATONCE_TRAFFIC_SHIFT_DISABLED": {"at-once": "NON_COMPLIANT", "canary": "COMPLIANT", "fleet": "NOT_APPLICABLE"},
		"S3_ACCESS_POINT_PUBLIC_ACCESS_BLOCKS":               {"closed": "COMPLIANT", "open": "NON_COMPLIANT"},
	}
	if d := cmp.Diff(wantResults, results); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
}
