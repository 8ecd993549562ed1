package rules

import (
	"fmt"
	"time"

	"github.com/probity-dev/probity/internal/ci"
)

var guardDutyRules = []*Rule{
	{
		ID: "GUARDDUTY_NON_ARCHIVED_FINDINGS",
		Description: "GuardDuty has no finding left unarchived longer than daysLowSev (default 30), daysMediumSev (7) or daysHighSev (1) days for its severity " +
			"(guardduty.Findings: low below 4, medium below 7, high and critical from 7).",
		Params: []Param{{Name: "daysLowSev", Type: Int, Default: "30"}, {Name: "daysMediumSev", Type: Int, Default: "7"}, {Name: "daysHighSev", Type: Int, Default: "1"}},
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("guardduty.Findings") {
				return nil, nil
			}
			late := map[string]int{}
			for _, detector := range sortedKeys(acct.GuardDutyFindings) {
				for _, f := range acct.GuardDutyFindings[detector] {
					created, err := time.Parse(time.RFC3339Nano, f.CreatedAt)
					if err != nil {
						return nil, fmt.Errorf("guardduty.Findings: finding %s: CreatedAt: %w", f.ID, err)
					}
					sev, param := "high", "daysHighSev"
					switch {
					case f.Severity < 4:
						sev, param = "low", "daysLowSev"
					case f.Severity < 7:
						sev, param = "medium", "daysMediumSev"
					}
					if olderThan(created, env.Now, a.Int(param)) {
						late[sev]++
					}
				}
			}
			if len(late) == 0 {
				return []Result{accountResult(acct, Compliant, "")}, nil
			}
			return []Result{accountResult(acct, NonCompliant, fmt.Sprintf("Findings left unarchived too long: %d high, %d medium, %d low severity.",
				late["high"], late["medium"], late["low"]))}, nil
		},
	},
}
