package rules

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// codeBuildProject is the resource type of CodeBuild projects.
const codeBuildProject = "AWS::CodeBuild::Project"

// cbProject is the part of a CodeBuild project's CI the rules read. AWS Config records
// the primary source and artifacts as one-element lists; a lone object is read too.
type cbProject struct {
	Name               string                 `json:"name"`
	Source             oneOrMany[cbSource]    `json:"source"`
	SecondarySources   []cbSource             `json:"secondarySources"`
	Artifacts          oneOrMany[cbArtifacts] `json:"artifacts"`
	SecondaryArtifacts []cbArtifacts          `json:"secondaryArtifacts"`
	Environment        struct {
		PrivilegedMode       bool `json:"privilegedMode"`
		EnvironmentVariables []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"environmentVariables"`
	} `json:"environment"`
	LogsConfig struct {
		CloudWatchLogs *struct {
			Status    string `json:"status"`
			GroupName string `json:"groupName"`
		} `json:"cloudWatchLogs"`
		S3Logs *struct {
			Status             string `json:"status"`
			Location           string `json:"location"`
			EncryptionDisabled bool   `json:"encryptionDisabled"`
		} `json:"s3Logs"`
	} `json:"logsConfig"`
}

type cbSource struct {
	Type     string `json:"type"`
	Location string `json:"location"`
}

type cbArtifacts struct {
	Type               string `json:"type"`
	EncryptionDisabled bool   `json:"encryptionDisabled"`
}

// oneOrMany decodes a JSON list of T, or a lone T as a list of one.
type oneOrMany[T any] []T

func (o *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	if s := strings.TrimSpace(string(b)); strings.HasPrefix(s, "[") || s == "null" {
		return json.Unmarshal(b, (*[]T)(o))
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*o = oneOrMany[T]{one}
	return nil
}

// name returns the project's name: its configuration's, else the CI's resource name or id.
func (p *cbProject) name(it *ci.Item) string {
	for _, n := range []string{p.Name, it.ResourceName, it.ResourceID} {
		if n != "" {
			return n
		}
	}
	return ""
}

// repoCredentials reports whether a source location is a URL that carries sign-in
// information: a user name or password, or a personal access token as the user.
func repoCredentials(location string) bool {
	u, err := url.Parse(strings.TrimSpace(location))
	return err == nil && u.User != nil && u.User.String() != ""
}

var codeBuildRules = []*Rule{
	{
		ID:          "CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK",
		Description: "CodeBuild projects hold no plaintext environment variable AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY.",
		Scope:       []string{codeBuildProject},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			p, err := cfg[cbProject](it)
			if err != nil {
				return "", "", err
			}
			for _, v := range p.Environment.EnvironmentVariables {
				if (v.Type == "" || strings.EqualFold(v.Type, "PLAINTEXT")) && (v.Name == "AWS_ACCESS_KEY_ID" || v.Name == "AWS_SECRET_ACCESS_KEY") {
					return NonCompliant, "The environment variable " + v.Name + " holds plaintext credentials.", nil
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "CODEBUILD_PROJECT_SOURCE_REPO_URL_CHECK",
		Description: "The GitHub and Bitbucket source repository URLs of CodeBuild projects (primary and secondary) carry no sign-in " +
			"information (user name, password or personal access token); projects without such a source are NOT_APPLICABLE.",
		Scope: []string{codeBuildProject},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			p, err := cfg[cbProject](it)
			if err != nil {
				return "", "", err
			}
			judged := false
			for _, s := range append(append([]cbSource{}, p.Source...), p.SecondarySources...) {
				switch strings.ToUpper(s.Type) {
				case "GITHUB", "GITHUB_ENTERPRISE", "BITBUCKET":
					judged = true
					if repoCredentials(s.Location) {
						return NonCompliant, "A source repository URL contains sign-in information.", nil
					}
				}
			}
			if !judged {
				return na("The project has no GitHub or Bitbucket source.")
			}
			return Compliant, "", nil
		},
	},
	{
		ID:          "CODEBUILD_PROJECT_ARTIFACT_ENCRYPTION",
		Description: "No primary or secondary artifact of a CodeBuild project has encryption disabled (encryptionDisabled).",
		Scope:       []string{codeBuildProject},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			p, err := cfg[cbProject](it)
			if err != nil {
				return "", "", err
			}
			for _, ar := range append(append([]cbArtifacts{}, p.Artifacts...), p.SecondaryArtifacts...) {
				if ar.EncryptionDisabled {
					return NonCompliant, "An artifact has encryption disabled.", nil
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "CODEBUILD_PROJECT_LOGGING_ENABLED",
		Description: "CodeBuild projects send logs to CloudWatch Logs or S3 (not every present log configuration DISABLED); with " +
			"s3BucketNames or cloudWatchGroupNames, an enabled destination of that kind must be one of them.",
		Scope:  []string{codeBuildProject},
		Params: []Param{{Name: "s3BucketNames", Type: CSV}, {Name: "cloudWatchGroupNames", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			p, err := cfg[cbProject](it)
			if err != nil {
				return "", "", err
			}
			lc := p.LogsConfig
			// CloudWatch Logs are on unless the configuration says DISABLED (CodeBuild's default).
			cw := lc.CloudWatchLogs == nil || !strings.EqualFold(lc.CloudWatchLogs.Status, "DISABLED")
			s3 := lc.S3Logs != nil && strings.EqualFold(lc.S3Logs.Status, "ENABLED")
			if !cw && !s3 {
				return NonCompliant, "Every log configuration is disabled.", nil
			}
			if s3 && a.Set("s3BucketNames") {
				bucket, _, _ := strings.Cut(strings.TrimPrefix(lc.S3Logs.Location, "arn:aws:s3:::"), "/")
				if !inList(a.List("s3BucketNames"), bucket) {
					return NonCompliant, "S3 logs go to " + bucket + ", not one of s3BucketNames.", nil
				}
			}
			if cw && a.Set("cloudWatchGroupNames") {
				group := ""
				if lc.CloudWatchLogs != nil {
					group = lc.CloudWatchLogs.GroupName
				}
				if !inList(a.List("cloudWatchGroupNames"), group) {
					return NonCompliant, "CloudWatch logs do not go to one of cloudWatchGroupNames.", nil
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "CODEBUILD_PROJECT_S3_LOGS_ENCRYPTED",
		Description: "CodeBuild projects that send logs to S3 keep them encrypted (encryptionDisabled not true); projects in " +
			"exemptedProjects are COMPLIANT, projects without S3 logs NOT_APPLICABLE.",
		Scope:  []string{codeBuildProject},
		Params: []Param{{Name: "exemptedProjects", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			p, err := cfg[cbProject](it)
			if err != nil {
				return "", "", err
			}
			if inList(a.List("exemptedProjects"), p.name(it)) {
				return Compliant, "The project is exempted.", nil
			}
			s := p.LogsConfig.S3Logs
			if s == nil || !strings.EqualFold(s.Status, "ENABLED") {
				return na("The project does not send logs to S3.")
			}
			return verdict(!s.EncryptionDisabled, "S3 logs have encryption disabled.")
		},
	},
	{
		ID:          "CODEBUILD_PROJECT_ENVIRONMENT_PRIVILEGED_CHECK",
		Description: "CodeBuild project environments do not run in privileged mode, unless the project is in exemptedProjects.",
		Scope:       []string{codeBuildProject},
		Params:      []Param{{Name: "exemptedProjects", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			p, err := cfg[cbProject](it)
			if err != nil {
				return "", "", err
			}
			if inList(a.List("exemptedProjects"), p.name(it)) {
				return Compliant, "The project is exempted.", nil
			}
			return verdict(!p.Environment.PrivilegedMode, "The environment runs in privileged mode.")
		},
	},
}
