package rules

import (
	"github.com/probity-dev/probity/internal/ci"
)

// deliveryFeedbackAttributes are the topic attributes that turn on delivery status
// logging for a kind of endpoint: the IAM roles SNS logs successes and failures with.
var deliveryFeedbackAttributes = []string{
	"ApplicationSuccessFeedbackRoleArn", "ApplicationFailureFeedbackRoleArn",
	"HTTPSuccessFeedbackRoleArn", "HTTPFailureFeedbackRoleArn",
	"LambdaSuccessFeedbackRoleArn", "LambdaFailureFeedbackRoleArn",
	"SQSSuccessFeedbackRoleArn", "SQSFailureFeedbackRoleArn",
	"FirehoseSuccessFeedbackRoleArn", "FirehoseFailureFeedbackRoleArn",
}

var snsDeliveryRules = []*Rule{
	{
		ID: "SNS_TOPIC_MESSAGE_DELIVERY_NOTIFICATION_ENABLED",
		Description: "SNS topics log the delivery status of messages for at least one kind of endpoint " +
			"(a *SuccessFeedbackRoleArn or *FailureFeedbackRoleArn attribute: Application, HTTP, Lambda, SQS, Firehose).",
		Scope: []string{snsTopic},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			attrs, err := cfg[map[string]any](it)
			if err != nil {
				return "", "", err
			}
			for _, k := range deliveryFeedbackAttributes {
				for name, v := range *attrs {
					if s, ok := v.(string); ok && s != "" && equalFoldASCII(name, k) {
						return Compliant, "", nil
					}
				}
			}
			return NonCompliant, "The topic does not log message delivery status.", nil
		},
	},
}

// equalFoldASCII reports whether two member names are equal without regard to case, as
// the rules read AWS Config's member names.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
