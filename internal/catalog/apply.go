package catalog

import (
	"context"

	"github.com/probity-dev/probity"
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
		lib, rev, err := opt.library(ctx, tx, account)
		if err != nil {
			return err
		}
		if opt.Plan != nil && lib == opt.Library {
			plan = opt.Plan
		} else if plan, err = MakePlan(cat, lib, opt); err != nil {
			return err
		}
		if err := plan.write(ctx, tx, account); err != nil {
			return err
		}
		if opt.Library != nil {
			if !plan.Empty() {
				// Every writer of controls and frameworks holds LockLibrary, so the
				// revision moved by this transaction's writes alone.
				if rev, err = tx.LibraryRevision(ctx, account); err != nil {
					return err
				}
			}
			plan.after, plan.afterRev = plan.applyTo(lib), rev
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

// library returns the library to plan against in tx, and its revision when o.Library is
// set: o.Library while the revision is still o.LibraryRevision, else the library read
// again.
func (o *Options) library(ctx context.Context, tx store.Tx, account string) (*store.Library, int64, error) {
	if o.Library == nil {
		lib, err := tx.Library(ctx, account)
		return lib, 0, err
	}
	rev, err := tx.LibraryRevision(ctx, account)
	if err != nil {
		return nil, 0, err
	}
	if rev == o.LibraryRevision {
		return o.Library, rev, nil
	}
	lib, err := tx.Library(ctx, account)
	return lib, rev, err
}

// Library returns the account's library as Apply's transaction left it, and its
// revision, for Options.Library of the next Apply; ok is false unless the plan was
// applied by Apply with Options.Library set. The library is shared: do not modify it.
func (p *Plan) Library() (lib *store.Library, revision int64, ok bool) {
	return p.after, p.afterRev, p.after != nil
}

// applyTo returns lib with the plan's changes made, leaving lib as it is.
func (p *Plan) applyTo(lib *store.Library) *store.Library {
	if p.Empty() {
		return lib
	}
	out := &store.Library{
		Controls:   make([]probity.Control, 0, len(lib.Controls)+len(p.putControls)),
		Frameworks: make([]probity.Framework, 0, len(lib.Frameworks)+len(p.putFrameworks)),
	}
	gone := make(map[string]bool, len(p.deleteControls)+len(p.deleteFrameworks))
	for _, id := range p.deleteControls {
		gone[id] = true
	}
	for _, id := range p.deleteFrameworks {
		gone[id] = true
	}
	putC := make(map[string]*probity.Control, len(p.putControls))
	for _, c := range p.putControls {
		putC[c.ID] = c
	}
	for _, c := range lib.Controls {
		if gone[c.ID] {
			continue
		}
		if put := putC[c.ID]; put != nil {
			c = *put
			delete(putC, c.ID)
		}
		out.Controls = append(out.Controls, c)
	}
	for _, c := range p.putControls {
		if putC[c.ID] != nil {
			out.Controls = append(out.Controls, *c)
		}
	}
	putF := make(map[string]*probity.Framework, len(p.putFrameworks))
	for _, f := range p.putFrameworks {
		putF[f.ID] = f
	}
	for _, f := range lib.Frameworks {
		if gone[f.ID] {
			continue
		}
		if put := putF[f.ID]; put != nil {
			f = *put
			delete(putF, f.ID)
		}
		out.Frameworks = append(out.Frameworks, f)
	}
	for _, f := range p.putFrameworks {
		if putF[f.ID] != nil {
			out.Frameworks = append(out.Frameworks, *f)
		}
	}
	return out
}

// write carries the plan out. Order matters: new controls before the frameworks that use
// them, frameworks that drop controls before those controls go.
func (p *Plan) write(ctx context.Context, tx store.Tx, account string) error {
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
		return tx.DeleteControls(ctx, account, p.deleteControls)
	}
	return nil
}
