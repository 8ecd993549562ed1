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
	opt.defaults()
	account := opt.Partition.AccountID
	var plan *Plan
	err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		lib, err := tx.Library(ctx, account)
		if err != nil {
			return err
		}
		plan, err = MakePlan(cat, lib, opt)
		if err != nil {
			return err
		}
		if err := plan.write(ctx, tx, account); err != nil {
			return err
		}
		if opt.InTransaction != nil {
			return opt.InTransaction(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// write carries the plan out. Order matters: new controls before the frameworks that use
// them, frameworks that drop controls before those controls go; rules are put first and
// deleted last, as controls name them.
func (p *Plan) write(ctx context.Context, tx store.Tx, account string) error {
	if len(p.putRules) > 0 {
		if err := tx.PutCustomRules(ctx, p.putRules); err != nil {
			return err
		}
	}
	if len(p.putControls) > 0 {
		if err := tx.PutControls(ctx, p.putControls); err != nil {
			return err
		}
	}
	if len(p.putFrameworks) > 0 {
		if err := tx.PutFrameworks(ctx, p.putFrameworks); err != nil {
			return err
		}
	}
	if len(p.deleteFrameworks) > 0 {
		if err := tx.DeleteFrameworks(ctx, account, p.deleteFrameworks); err != nil {
			return err
		}
	}
	if len(p.deleteControls) > 0 {
		if err := tx.DeleteControls(ctx, account, p.deleteControls); err != nil {
			return err
		}
	}
	if len(p.deleteRules) > 0 {
		return tx.DeleteCustomRules(ctx, account, p.deleteRules)
	}
	return nil
}
