package rules

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const cwAlarm = "AWS::CloudWatch::Alarm"

// alarm is the part of a CloudWatch alarm CI the rules read (DescribeAlarms camel-cased;
// AWS Config spells the OK actions okactions).
type alarm struct {
	ActionsEnabled          *bool    `json:"actionsEnabled"`
	AlarmActions            []string `json:"alarmActions"`
	InsufficientDataActions []string `json:"insufficientDataActions"`
	OKActions               []string `json:"okactions"`
	MetricName              string   `json:"metricName"`
	Statistic               string   `json:"statistic"`
	ExtendedStatistic       string   `json:"extendedStatistic"`
	Period                  *int     `json:"period"`
	EvaluationPeriods       *int     `json:"evaluationPeriods"`
	Threshold               *float64 `json:"threshold"`
	ComparisonOperator      string   `json:"comparisonOperator"`
}

// alarmRule builds a rule on CloudWatch alarms.
func alarmRule(id, desc string, params []Param, f func(a Args, al *alarm) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{cwAlarm}, Params: params,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			al, err := cfg[alarm](it)
			if err != nil {
				return "", "", err
			}
			return f(a, al)
		}}
}

var alarmRules = []*Rule{
	alarmRule("CLOUDWATCH_ALARM_ACTION_CHECK",
		"CloudWatch alarms have an action for each state whose parameter is true (ALARM, INSUFFICIENT_DATA, OK), and with action1 to action5 one of their actions is among them.",
		[]Param{{Name: "alarmActionRequired", Type: Bool, Default: "true"}, {Name: "insufficientDataActionRequired", Type: Bool, Default: "true"},
			{Name: "okActionRequired", Type: Bool, Default: "false"}, {Name: "action1", Type: String}, {Name: "action2", Type: String},
			{Name: "action3", Type: String}, {Name: "action4", Type: String}, {Name: "action5", Type: String}},
		func(a Args, al *alarm) (Compliance, string, error) {
			switch {
			case a.Bool("alarmActionRequired") && len(al.AlarmActions) == 0:
				return NonCompliant, "The alarm has no action for the ALARM state.", nil
			case a.Bool("insufficientDataActionRequired") && len(al.InsufficientDataActions) == 0:
				return NonCompliant, "The alarm has no action for the INSUFFICIENT_DATA state.", nil
			case a.Bool("okActionRequired") && len(al.OKActions) == 0:
				return NonCompliant, "The alarm has no action for the OK state.", nil
			}
			var wanted []string
			for i := 1; i <= 5; i++ {
				if p := fmt.Sprintf("action%d", i); a.Set(p) {
					wanted = append(wanted, a.Str(p))
				}
			}
			if len(wanted) == 0 {
				return Compliant, "", nil
			}
			for _, list := range [][]string{al.AlarmActions, al.InsufficientDataActions, al.OKActions} {
				for _, act := range list {
					if inList(wanted, act) {
						return Compliant, "", nil
					}
				}
			}
			return NonCompliant, "None of the alarm's actions is one of action1 to action5.", nil
		}),
	alarmRule("CLOUDWATCH_ALARM_ACTION_ENABLED_CHECK", "CloudWatch alarms have their actions enabled.", nil,
		func(a Args, al *alarm) (Compliance, string, error) {
			return verdict(al.ActionsEnabled == nil || *al.ActionsEnabled, "The alarm's actions are disabled.")
		}),
	alarmRule("CLOUDWATCH_ALARM_SETTINGS_CHECK",
		"CloudWatch alarms on metricName have the given threshold, evaluationPeriods, period (default 300 seconds), comparisonOperator and statistic; alarms on other metrics are NOT_APPLICABLE.",
		[]Param{{Name: "metricName", Type: String, Required: true}, {Name: "threshold", Type: Int}, {Name: "evaluationPeriods", Type: Int},
			{Name: "period", Type: Int, Default: "300"}, {Name: "comparisonOperator", Type: String}, {Name: "statistic", Type: String}},
		func(a Args, al *alarm) (Compliance, string, error) {
			if al.MetricName != a.Str("metricName") {
				return na("The alarm is on another metric than metricName.")
			}
			switch {
			case a.Set("threshold") && (al.Threshold == nil || *al.Threshold != float64(a.Int("threshold"))):
				return NonCompliant, "The alarm's threshold is not threshold.", nil
			case a.Set("evaluationPeriods") && (al.EvaluationPeriods == nil || *al.EvaluationPeriods != a.Int("evaluationPeriods")):
				return NonCompliant, "The alarm's evaluation periods are not evaluationPeriods.", nil
			case a.Set("period") && (al.Period == nil || *al.Period != a.Int("period")):
				return NonCompliant, "The alarm's period is not period.", nil
			case a.Set("comparisonOperator") && al.ComparisonOperator != a.Str("comparisonOperator"):
				return NonCompliant, "The alarm's comparison operator is not comparisonOperator.", nil
			case a.Set("statistic") && !strings.EqualFold(al.Statistic, a.Str("statistic")) && !strings.EqualFold(al.ExtendedStatistic, a.Str("statistic")):
				return NonCompliant, "The alarm's statistic is not statistic.", nil
			}
			return Compliant, "", nil
		}),
}
