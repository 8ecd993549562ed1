package rules

import (
	"github.com/probity-dev/probity/internal/ci"
)

const cfnStack = "AWS::CloudFormation::Stack"

var stackRules = []*Rule{
	{
		ID: "CLOUDFORMATION_STACK_NOTIFICATION_CHECK",
		Description: "CloudFormation stacks send event notifications to SNS topics (notificationARNs), " +
			"among them every topic snsTopic1 to snsTopic5 that is given.",
		Scope: []string{cfnStack},
		Params: []Param{{Name: "snsTopic1", Type: String}, {Name: "snsTopic2", Type: String}, {Name: "snsTopic3", Type: String},
			{Name: "snsTopic4", Type: String}, {Name: "snsTopic5", Type: String}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			st, err := cfg[struct {
				NotificationARNs []string `json:"notificationARNs"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if len(st.NotificationARNs) == 0 {
				return NonCompliant, "The stack sends no event notifications.", nil
			}
			for _, p := range []string{"snsTopic1", "snsTopic2", "snsTopic3", "snsTopic4", "snsTopic5"} {
				if a.Set(p) && !inList(st.NotificationARNs, a.Str(p)) {
					return NonCompliant, "The stack does not notify " + a.Str(p) + " (" + p + ").", nil
				}
			}
			return Compliant, "", nil
		},
	},
}
