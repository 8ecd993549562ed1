package rules

import (
	"slices"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// ecsTaskDefinition is the resource type of ECS task definitions.
const ecsTaskDefinition = "AWS::ECS::TaskDefinition"

// taskDefinition is the part of a task definition's CI the rules read: the API's member
// names, as AWS Config records them (encoding/json also matches them in camel case).
type taskDefinition struct {
	Status                  string   `json:"Status"`
	NetworkMode             string   `json:"NetworkMode"`
	PidMode                 string   `json:"PidMode"`
	RequiresCompatibilities []string `json:"RequiresCompatibilities"`
	ContainerDefinitions    []struct {
		Name                   string    `json:"Name"`
		User                   string    `json:"User"`
		Privileged             *bool     `json:"Privileged"`
		ReadonlyRootFilesystem *bool     `json:"ReadonlyRootFilesystem"`
		Memory                 *int      `json:"Memory"`
		LogConfiguration       *struct{} `json:"LogConfiguration"`
		Environment            []struct {
			Name string `json:"Name"`
		} `json:"Environment"`
	} `json:"ContainerDefinitions"`
}

// rootUser reports whether a container's user runs as root: unset, root or UID 0, with
// or without a group.
func rootUser(user string) bool {
	u, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	return u == "" || u == "root" || u == "0"
}

// containersWhere returns a NON_COMPLIANT verdict naming the first container for which
// bad holds, else COMPLIANT.
func (td *taskDefinition) containersWhere(bad func(i int) bool, why string) (Compliance, string, error) {
	for i, c := range td.ContainerDefinitions {
		if bad(i) {
			return NonCompliant, "Container " + c.Name + ": " + why, nil
		}
	}
	return Compliant, "", nil
}

// ecsRule declares a rule that judges a task definition's containers.
func ecsRule(id, desc string, params []Param, judge func(a Args, td *taskDefinition) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{ecsTaskDefinition}, Params: params,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			td, err := cfg[taskDefinition](it)
			if err != nil {
				return "", "", err
			}
			return judge(a, td)
		}}
}

var ecsRules = []*Rule{
	ecsRule("ECS_TASK_DEFINITION_USER_FOR_HOST_MODE_CHECK",
		"ECS task definitions in host network mode run no container both unprivileged (privileged false or unset) and as root "+
			"(user root, 0 or unset); other modes are NOT_APPLICABLE, and INACTIVE definitions too when SkipInactiveTaskDefinitions is true.",
		[]Param{{Name: "SkipInactiveTaskDefinitions", Type: Bool}},
		func(a Args, td *taskDefinition) (Compliance, string, error) {
			switch {
			case td.NetworkMode != "host":
				return na("The network mode is not host.")
			case a.Bool("SkipInactiveTaskDefinitions") && strings.EqualFold(td.Status, "INACTIVE"):
				return na("The task definition is inactive.")
			}
			return td.containersWhere(func(i int) bool {
				c := td.ContainerDefinitions[i]
				return (c.Privileged == nil || !*c.Privileged) && rootUser(c.User)
			}, "runs as root without privileged set in host network mode.")
		}),
	ecsRule("ECS_CONTAINERS_READONLY_ACCESS",
		"ECS task definitions' containers have read-only root file systems (ReadonlyRootFilesystem true; unset is false).", nil,
		func(a Args, td *taskDefinition) (Compliance, string, error) {
			return td.containersWhere(func(i int) bool {
				r := td.ContainerDefinitions[i].ReadonlyRootFilesystem
				return r == nil || !*r
			}, "the root file system is writable.")
		}),
	ecsRule("ECS_TASK_DEFINITION_NONROOT_USER",
		"ECS task definitions for the EC2 launch type name a user other than root for every container; definitions that "+
			"require other launch types only (Fargate, external) are NOT_APPLICABLE.", nil,
		func(a Args, td *taskDefinition) (Compliance, string, error) {
			if len(td.RequiresCompatibilities) > 0 && !slices.ContainsFunc(td.RequiresCompatibilities, func(s string) bool { return strings.EqualFold(s, "EC2") }) {
				return na("The task definition does not use the EC2 launch type.")
			}
			return td.containersWhere(func(i int) bool { return rootUser(td.ContainerDefinitions[i].User) }, "no user other than root.")
		}),
	ecsRule("ECS_CONTAINERS_NONPRIVILEGED",
		"ECS task definitions run no container privileged.", nil,
		func(a Args, td *taskDefinition) (Compliance, string, error) {
			return td.containersWhere(func(i int) bool {
				p := td.ContainerDefinitions[i].Privileged
				return p != nil && *p
			}, "privileged.")
		}),
	ecsRule("ECS_TASK_DEFINITION_PID_MODE_CHECK",
		"ECS task definitions do not share the host's process namespace (PidMode host).", nil,
		func(a Args, td *taskDefinition) (Compliance, string, error) {
			return verdict(td.PidMode != "host", "The task definition shares the host's process namespace.")
		}),
	ecsRule("ECS_TASK_DEFINITION_MEMORY_HARD_LIMIT",
		"ECS task definitions set a hard memory limit (Memory) on every container.", nil,
		func(a Args, td *taskDefinition) (Compliance, string, error) {
			return td.containersWhere(func(i int) bool { return td.ContainerDefinitions[i].Memory == nil }, "no memory limit.")
		}),
	ecsRule("ECS_TASK_DEFINITION_LOG_CONFIGURATION",
		"Active ECS task definitions set LogConfiguration on every container; inactive ones are NOT_APPLICABLE.", nil,
		func(a Args, td *taskDefinition) (Compliance, string, error) {
			if strings.EqualFold(td.Status, "INACTIVE") {
				return na("The task definition is inactive.")
			}
			return td.containersWhere(func(i int) bool { return td.ContainerDefinitions[i].LogConfiguration == nil }, "no log configuration.")
		}),
	ecsRule("ECS_NO_ENVIRONMENT_SECRETS",
		"ECS task definitions pass no environment variable named in secretKeys (required) to a container; environment files "+
			"and secrets are not read.",
		[]Param{{Name: "secretKeys", Type: CSV, Required: true}},
		func(a Args, td *taskDefinition) (Compliance, string, error) {
			keys := a.List("secretKeys")
			for _, c := range td.ContainerDefinitions {
				for _, e := range c.Environment {
					if inList(keys, e.Name) {
						return NonCompliant, "Container " + c.Name + ": the environment variable " + e.Name + " is one of secretKeys.", nil
					}
				}
			}
			return Compliant, "", nil
		}),
}
