package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const (
	glueJob         = "AWS::Glue::Job"
	glueMLTransform = "AWS::Glue::MLTransform"
)

// glueSparkCommands are the Command.Name values of Glue jobs that run on Spark (ETL and
// streaming); Python shell and Ray jobs are the others.
var glueSparkCommands = []string{"glueetl", "gluestreaming"}

// glueVersion parses a Glue version such as "4.0" into its numeric parts.
func glueVersion(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(strings.TrimSpace(s), ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not a Glue version such as 4.0", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// versionLess reports whether version a comes before b, missing parts counting as 0.
func versionLess(a, b []int) bool {
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return x < y
		}
	}
	return false
}

var glueRules = []*Rule{
	{
		ID: "GLUE_JOB_LOGGING_ENABLED",
		Description: "Glue jobs send their logs to CloudWatch Logs continuously (the job argument " +
			"--enable-continuous-cloudwatch-log is true in DefaultArguments).",
		Scope: []string{glueJob},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			j, err := cfg[struct {
				DefaultArguments map[string]string `json:"DefaultArguments"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return verdict(strings.EqualFold(j.DefaultArguments["--enable-continuous-cloudwatch-log"], "true"),
				"The job does not send its logs to CloudWatch Logs (--enable-continuous-cloudwatch-log is not true).")
		},
	},
	{
		ID: "GLUE_SPARK_JOB_SUPPORTED_VERSION",
		Description: "Glue Spark jobs (Command.Name glueetl or gluestreaming) run on Glue version minimumSupportedGlueVersion " +
			"or later (GlueVersion); other jobs are NOT_APPLICABLE, and a Spark job that records no GlueVersion is NON_COMPLIANT.",
		Scope:       []string{glueJob},
		Params:      []Param{{Name: "minimumSupportedGlueVersion", Type: String, Required: true}},
		CheckParams: parses("minimumSupportedGlueVersion", glueVersion),
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			min, _ := glueVersion(a.Str("minimumSupportedGlueVersion"))
			j, err := cfg[struct {
				GlueVersion string `json:"GlueVersion"`
				Command     struct {
					Name string `json:"Name"`
				} `json:"Command"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if !inList(glueSparkCommands, strings.ToLower(j.Command.Name)) {
				return na("The job is not a Spark job (command " + orNone(j.Command.Name) + ").")
			}
			if j.GlueVersion == "" {
				return NonCompliant, "The job records no Glue version.", nil
			}
			v, err := glueVersion(j.GlueVersion)
			if err != nil {
				return NonCompliant, "The job's Glue version " + j.GlueVersion + " is not a version number.", nil
			}
			return verdict(!versionLess(v, min), "The job runs on Glue "+j.GlueVersion+", before "+a.Str("minimumSupportedGlueVersion")+".")
		},
	},
	{
		ID: "GLUE_ML_TRANSFORM_ENCRYPTED_AT_REST",
		Description: "Glue ML transforms encrypt user data at rest (TransformEncryption.MLUserDataEncryption." +
			"MLUserDataEncryptionMode is set and not DISABLED).",
		Scope: []string{glueMLTransform},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			t, err := cfg[struct {
				TransformEncryption struct {
					MLUserDataEncryption struct {
						Mode string `json:"MLUserDataEncryptionMode"`
					} `json:"MLUserDataEncryption"`
				} `json:"TransformEncryption"`
			}](it)
			if err != nil {
				return "", "", err
			}
			mode := t.TransformEncryption.MLUserDataEncryption.Mode
			return verdict(mode != "" && !strings.EqualFold(mode, "DISABLED"), "The ML transform does not encrypt user data at rest.")
		},
	},
}
