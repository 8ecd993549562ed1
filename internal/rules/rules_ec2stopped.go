package rules

import (
	"fmt"
	"regexp"
	"time"

	"github.com/probity-dev/probity/internal/ci"
)

// stoppedAt finds the time EC2 gives in stateTransitionReason for a user- or
// service-initiated stop: "User initiated (2024-01-15 10:00:00 GMT)" (UTC accepted
// too, as emulators such as moto write it).
var stoppedAt = regexp.MustCompile(`\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)`)

var ec2StoppedRules = []*Rule{
	{
		ID: "EC2_STOPPED_INSTANCE",
		Description: "EC2 instances have not been stopped for more than AllowedDays days (the stop time in stateTransitionReason); " +
			"a stopped instance whose stop time is not known is NON_COMPLIANT, terminated ones NOT_APPLICABLE.",
		Scope:  []string{ec2Instance},
		Params: []Param{{Name: "AllowedDays", Type: Int, Default: "30"}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			in, err := cfg[struct {
				State struct {
					Name string `json:"name"`
				} `json:"state"`
				StateTransitionReason string `json:"stateTransitionReason"`
			}](it)
			if err != nil {
				return "", "", err
			}
			switch in.State.Name {
			case "terminated", "shutting-down":
				return na("The instance is " + in.State.Name + ".")
			case "stopped":
			default:
				return Compliant, "", nil
			}
			m := stoppedAt.FindStringSubmatch(in.StateTransitionReason)
			if m == nil {
				return NonCompliant, "The instance is stopped and the time it stopped cannot be determined.", nil
			}
			at, err := time.Parse(time.DateTime, m[1])
			if err != nil {
				return NonCompliant, "The instance is stopped and the time it stopped cannot be determined.", nil
			}
			days := a.Int("AllowedDays")
			return verdict(!olderThan(at, env.Now, days),
				fmt.Sprintf("The instance has been stopped since %s, more than %d days.", at.Format(time.RFC3339), days))
		},
	},
}
