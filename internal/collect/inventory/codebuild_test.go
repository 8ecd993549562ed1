package inventory_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/mototest"
)

// TestCodeBuildProjects seeds two CodeBuild projects in moto, one hardened and one with
// plaintext credentials, a token in its GitHub URL, privileged mode and unencrypted
// artifacts, collects a snapshot, and checks the projects' CIs (name as resource id,
// source and artifacts as lists, AWS Config's queuedtimeoutInMinutes, the role
// relationship) and the CodeBuild rules on them.
func TestCodeBuildProjects(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	const account, region = "123456789012", mototest.Region
	const role = "arn:aws:iam::" + account + ":role/service-role/builder"
	c := codebuild.NewFromConfig(m.Config())
	_, err := c.CreateProject(ctx, &codebuild.CreateProjectInput{Name: aws.String("hardened"), ServiceRole: aws.String(role),
		Source:      &cbtypes.ProjectSource{Type: cbtypes.SourceTypeGithub, Location: aws.String("https://github.com/example/app")},
		Artifacts:   &cbtypes.ProjectArtifacts{Type: cbtypes.ArtifactsTypeS3, Location: aws.String("out-bucket"), EncryptionDisabled: aws.Bool(false)},
		Environment: &cbtypes.ProjectEnvironment{Type: cbtypes.EnvironmentTypeLinuxContainer, Image: aws.String("aws/codebuild/standard:7.0"), ComputeType: cbtypes.ComputeTypeBuildGeneral1Small},
		Tags:        []cbtypes.Tag{{Key: aws.String("team"), Value: aws.String("ci")}}})
	must(t, err)
	_, err = c.CreateProject(ctx, &codebuild.CreateProjectInput{Name: aws.String("leaky"), ServiceRole: aws.String(role),
		Source:    &cbtypes.ProjectSource{Type: cbtypes.SourceTypeGithub, Location: aws.String("https://ghp_token@github.com/example/app")},
		Artifacts: &cbtypes.ProjectArtifacts{Type: cbtypes.ArtifactsTypeS3, Location: aws.String("out-bucket"), EncryptionDisabled: aws.Bool(true)},
		Environment: &cbtypes.ProjectEnvironment{Type: cbtypes.EnvironmentTypeLinuxContainer, Image: aws.String("aws/codebuild/standard:7.0"),
			ComputeType: cbtypes.ComputeTypeBuildGeneral1Small, PrivilegedMode: aws.Bool(true),
			EnvironmentVariables: []cbtypes.EnvironmentVariable{{Name: aws.String("AWS_SECRET_ACCESS_KEY"), Value: aws.String("x"), Type: cbtypes.EnvironmentVariableTypePlaintext}}}})
	must(t, err)

	type project struct {
		ID, ARN, Name string
		Tags          map[string]string
		Relationships []ci.Relationship
		Source        []map[string]any
		Artifacts     []map[string]any
		Queued        any
	}
	got := map[string]project{}
	var items []*ci.Item
	for _, it := range snapshotItems(t, m, account, region) {
		if it.ResourceType != "AWS::CodeBuild::Project" {
			continue
		}
		items = append(items, it)
		var conf struct {
			Source    []map[string]any `json:"source"`
			Artifacts []map[string]any `json:"artifacts"`
			Queued    any              `json:"queuedtimeoutInMinutes"`
		}
		must(t, json.Unmarshal(it.Configuration, &conf))
		src := []map[string]any{}
		for _, s := range conf.Source {
			src = append(src, map[string]any{"type": s["type"], "location": s["location"]})
		}
		art := []map[string]any{}
		for _, a := range conf.Artifacts {
			art = append(art, map[string]any{"type": a["type"], "encryptionDisabled": a["encryptionDisabled"]})
		}
		got[it.ResourceName] = project{it.ResourceID, it.ARN, it.ResourceName, it.Tags, it.Relationships, src, art, conf.Queued != nil}
	}
	arn := "arn:aws:codebuild:" + region + ":" + account + ":project/"
	rel := []ci.Relationship{{ResourceType: "AWS::IAM::Role", ResourceName: "builder", RelationshipName: "Is associated with "}}
	want := map[string]project{
		"hardened": {"hardened", arn + "hardened", "hardened", map[string]string{"team": "ci"}, rel,
			[]map[string]any{{"type": "GITHUB", "location": "https://github.com/example/app"}}, []map[string]any{{"type": "S3", "encryptionDisabled": false}}, true},
		"leaky": {"leaky", arn + "leaky", "leaky", nil, rel,
			[]map[string]any{{"type": "GITHUB", "location": "https://withheld@github.com/example/app"}}, []map[string]any{{"type": "S3", "encryptionDisabled": true}}, true},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("projects (-want +got):\n%s", d)
	}
	evalAll(t, items, map[string]map[string]string{
		"CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK":         {"hardened": "COMPLIANT", "leaky": "NON_COMPLIANT"},
		"CODEBUILD_PROJECT_SOURCE_REPO_URL_CHECK":        {"hardened": "COMPLIANT", "leaky": "NON_COMPLIANT"},
		"CODEBUILD_PROJECT_ARTIFACT_ENCRYPTION":          {"hardened": "COMPLIANT", "leaky": "NON_COMPLIANT"},
		"CODEBUILD_PROJECT_ENVIRONMENT_PRIVILEGED_CHECK": {"hardened": "COMPLIANT", "leaky": "NON_COMPLIANT"},
		"CODEBUILD_PROJECT_LOGGING_ENABLED":              {"hardened": "COMPLIANT", "leaky": "COMPLIANT"},
		"CODEBUILD_PROJECT_S3_LOGS_ENCRYPTED":            {"hardened": "-", "leaky": "-"},
	})
}
