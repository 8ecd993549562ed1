package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const stateMachine = "AWS::StepFunctions::StateMachine"

// sfnLogLevels ranks Step Functions log levels: ALL logs the most, OFF nothing.
var sfnLogLevels = map[string]int{"OFF": 0, "FATAL": 1, "ERROR": 2, "ALL": 3}

var stepFunctionsRules = []*Rule{
	{
		ID: "STEP_FUNCTIONS_STATE_MACHINE_LOGGING_ENABLED",
		Description: "Step Functions state machines log (loggingConfiguration level not OFF), at least at logLevel when given (FATAL < ERROR < ALL), " +
			"to a log group in cloudWatchLogGroupArns when given (ARNs compared without a trailing :*).",
		Scope:       []string{stateMachine},
		Params:      []Param{{Name: "cloudWatchLogGroupArns", Type: CSV}, {Name: "logLevel", Type: String}},
		CheckParams: oneOf("logLevel", "ALL", "ERROR", "FATAL"),
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			min := 1
			if a.Set("logLevel") {
				min = sfnLogLevels[strings.ToUpper(a.Str("logLevel"))]
			}
			sm, err := cfg[struct {
				LoggingConfiguration struct {
					Level        string `json:"level"`
					Destinations []struct {
						CloudWatchLogsLogGroup struct {
							LogGroupArn string `json:"logGroupArn"`
						} `json:"cloudWatchLogsLogGroup"`
					} `json:"destinations"`
				} `json:"loggingConfiguration"`
			}](it)
			if err != nil {
				return "", "", err
			}
			lc := sm.LoggingConfiguration
			level := strings.ToUpper(lc.Level)
			if level == "" {
				level = "OFF"
			}
			if sfnLogLevels[level] == 0 {
				return NonCompliant, "The state machine does not log.", nil
			}
			if sfnLogLevels[level] < min {
				return NonCompliant, "The state machine logs at " + level + ", below logLevel " + strings.ToUpper(a.Str("logLevel")) + ".", nil
			}
			if a.Set("cloudWatchLogGroupArns") {
				want := a.List("cloudWatchLogGroupArns")
				for i := range want {
					want[i] = strings.TrimSuffix(want[i], ":*")
				}
				for _, d := range lc.Destinations {
					if inList(want, strings.TrimSuffix(d.CloudWatchLogsLogGroup.LogGroupArn, ":*")) {
						return Compliant, "", nil
					}
				}
				return NonCompliant, "The state machine logs to no log group in cloudWatchLogGroupArns.", nil
			}
			return Compliant, "", nil
		},
	},
}
