package catalog

import (
	"context"

	"github.com/probity-dev/probity/internal/store"
)

// Apply plans the catalog against the library and carries the plan out in one
// transaction: the library ends at the old state or the new one, never between. It
// returns the plan applied, or MakePlan's errors and nothing applied. Planning inside the
// transaction means concurrent appliers cannot act on a stale plan.
func Apply(ctx context.Context, st store.Store, cat *Catalog, opt Options) (*Plan, error) {
	var plan *Plan
	err := st.Update(ctx, func(tx store.Tx) error {
		lib, err := tx.Library(ctx)
		if err != nil {
			return err
		}
		plan, err = MakePlan(cat, lib, opt)
		if err != nil || plan.Empty() {
			return err
		}
		// Order matters: new controls before the frameworks that use them, frameworks that
		// drop controls before those controls go.
		if err := tx.PutControls(ctx, plan.putControls); err != nil {
			return err
		}
		if err := tx.PutFrameworks(ctx, plan.putFrameworks); err != nil {
			return err
		}
		if len(plan.deleteFrameworks) > 0 {
			if err := tx.DeleteFrameworks(ctx, plan.deleteFrameworks); err != nil {
				return err
			}
		}
		if len(plan.deleteControls) > 0 {
			return tx.DeleteControls(ctx, plan.deleteControls)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}
