package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/shield"
	shieldtypes "github.com/aws/aws-sdk-go-v2/service/shield/types"
)

// collectShield records the account's Shield Advanced facts (Shield is global: only in
// the Global snapshot): shield.SubscriptionState, GetSubscriptionState's
// SubscriptionState (ACTIVE or INACTIVE); and, for a subscribed account only,
// shield.DRTAccess, DescribeDRTAccess's {RoleArn, LogBucketList}, null when the
// account has given the Shield Response Team no role (no RoleArn, or
// ResourceNotFoundException). An account without the subscription has no
// shield.DRTAccess fact: SHIELD_DRT_ACCESS does not read it there.
func collectShield(ctx context.Context, r *run) error {
	c := shield.NewFromConfig(r.cfg)
	state, err := c.GetSubscriptionState(ctx, &shield.GetSubscriptionStateInput{})
	if err != nil {
		return err
	}
	if state.SubscriptionState != shieldtypes.SubscriptionStateActive {
		r.fact("shield.SubscriptionState", string(state.SubscriptionState))
		return nil
	}
	var access any // null: no role
	out, err := c.DescribeDRTAccess(ctx, &shield.DescribeDRTAccessInput{})
	switch {
	case errorCode(err) == "ResourceNotFoundException":
	case err != nil:
		return err
	case aws.ToString(out.RoleArn) != "":
		access = map[string]any{"RoleArn": aws.ToString(out.RoleArn), "LogBucketList": nonNil(out.LogBucketList)}
	}
	// Both facts are set once both calls succeeded, so that a part skipped halfway
	// leaves neither.
	r.fact("shield.SubscriptionState", string(state.SubscriptionState))
	r.fact("shield.DRTAccess", access)
	return nil
}
