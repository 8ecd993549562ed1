package inventory

import (
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// A snapshot is evidence: auditors read it, reports carry it and the console shows it.
// Values that are often secrets, and that no rule judges, are therefore not recorded as
// they are: environment variables' values, user data, and credentials in repository
// URLs become withheldValue. Their names stay, so the evidence still says that a variable
// or a credential is there (which rules such as CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK
// and CODEBUILD_PROJECT_SOURCE_REPO_URL_CHECK judge).

// withheldValue stands in for a value the inventory does not record.
const withheldValue = "(withheld)"

// withhold replaces a non-empty *s with withheldValue.
func withhold(s *string) *string {
	if aws.ToString(s) == "" {
		return s
	}
	return aws.String(withheldValue)
}

// withheldVariables returns vars with every value withheld.
func withheldVariables(vars map[string]string) map[string]string {
	if vars == nil {
		return nil
	}
	out := make(map[string]string, len(vars))
	for k := range vars {
		out[k] = withheldValue
	}
	return out
}

// withholdTaskDefinition withholds the values of the containers' environment variables.
func withholdTaskDefinition(td *ecstypes.TaskDefinition) {
	for i := range td.ContainerDefinitions {
		c := &td.ContainerDefinitions[i]
		env := make([]ecstypes.KeyValuePair, len(c.Environment))
		for j, kv := range c.Environment {
			env[j] = ecstypes.KeyValuePair{Name: kv.Name, Value: withhold(kv.Value)}
		}
		c.Environment = env
	}
}

// withholdProject withholds a CodeBuild project's plaintext environment variables'
// values (parameter store and secrets manager ones are references, kept) and the user
// information of its sources' URLs.
func withholdProject(pr *cbtypes.Project) {
	if e := pr.Environment; e != nil {
		vars := make([]cbtypes.EnvironmentVariable, len(e.EnvironmentVariables))
		for i, v := range e.EnvironmentVariables {
			if v.Type == "" || v.Type == cbtypes.EnvironmentVariableTypePlaintext {
				v.Value = withhold(v.Value)
			}
			vars[i] = v
		}
		env := *e
		env.EnvironmentVariables = vars
		pr.Environment = &env
	}
	withholdSource := func(s *cbtypes.ProjectSource) *cbtypes.ProjectSource {
		if s == nil || s.Location == nil {
			return s
		}
		c := *s
		c.Location = aws.String(withheldUserInfo(*s.Location))
		return &c
	}
	pr.Source = withholdSource(pr.Source)
	sources := make([]cbtypes.ProjectSource, len(pr.SecondarySources))
	for i := range pr.SecondarySources {
		sources[i] = *withholdSource(&pr.SecondarySources[i])
	}
	pr.SecondarySources = sources
}

// withheldUserInfo returns the URL with its user information (a user name that is a
// token, or user and password) withheld; other strings as they are.
func withheldUserInfo(location string) string {
	u, err := url.Parse(location)
	if err != nil || u.User == nil || u.User.String() == "" {
		return location
	}
	u.User = url.User("withheld") // withheldValue's parentheses would be escaped
	return u.String()
}

// withholdLaunchConfiguration withholds a launch configuration's user data.
func withholdLaunchConfiguration(lc *astypes.LaunchConfiguration) {
	lc.UserData = withhold(lc.UserData)
}

// withholdLaunchTemplateData withholds the user data of a launch template version's data,
// decoded as the collector holds it.
func withholdLaunchTemplateData(data any) {
	if m, ok := data.(map[string]any); ok {
		if v, ok := m["UserData"].(string); ok && v != "" {
			m["UserData"] = withheldValue
		}
	}
}
