package rules

import (
	"github.com/probity-dev/probity/internal/ci"
)

var shieldRules = []*Rule{
	{
		ID: "SHIELD_DRT_ACCESS",
		Description: "When the account subscribes to Shield Advanced (shield.SubscriptionState ACTIVE), the Shield Response Team may act in it " +
			"through a role (shield.DRTAccess RoleArn); an account without the subscription is NOT_APPLICABLE.",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("shield.SubscriptionState") {
				return nil, nil
			}
			if acct.ShieldSubscriptionState != "ACTIVE" {
				return []Result{accountResult(acct, NotApplicable, "The account does not subscribe to Shield Advanced.")}, nil
			}
			if !acct.Has("shield.DRTAccess") {
				return nil, nil
			}
			if acct.ShieldDRTAccess == nil || acct.ShieldDRTAccess.RoleArn == "" {
				return []Result{accountResult(acct, NonCompliant, "No role gives the Shield Response Team access to the account.")}, nil
			}
			return []Result{accountResult(acct, Compliant, "")}, nil
		},
	},
}
