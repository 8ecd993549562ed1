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
	// Update may call fn again (store.Store): a call after the first plans afresh, as the
	// first may have released the plan's copies, and with Consume, whose first call used
	// up the documents, asks the caller to read the files again.
	called, released := false, false
	err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		if called && opt.Consume {
			return ErrLibraryMoved
		}
		called = true
		lib, rev, err := opt.library(ctx, tx, account, cat)
		if err != nil {
			return err
		}
		if opt.Plan != nil && lib == opt.Library && !released {
			plan = opt.Plan
		} else if plan, err = MakePlan(cat, lib, opt); err != nil {
			return err
		}
		// The plan's copies are all that is written from here: consumed documents can
		// go, and, unless the library after is to be made from them, each batch of
		// copies once written.
		keep := opt.Library != nil && (!lib.Outline() || opt.KeepOutline)
		if !keep {
			released = true
			if opt.Consume {
				cat = nil
			}
		}
		if err := plan.write(ctx, tx, account, !keep); err != nil {
			return err
		}
		if keep {
			if !plan.Empty() {
				// Every writer of controls and frameworks holds LockLibrary, so the
				// revision moved by this transaction's writes alone.
				if rev, err = tx.LibraryRevision(ctx, account); err != nil {
					return err
				}
			}
			// The library after is made when asked for (Plan.Library), so that a caller
			// that does not keep it never holds two.
			plan.before, plan.afterRev = lib, rev
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
// again. An outline (store.Library.Outline) is completed for cat (CompleteLibrary).
func (o *Options) library(ctx context.Context, tx store.Tx, account string, cat *Catalog) (*store.Library, int64, error) {
	if o.Library == nil {
		lib, err := tx.Library(ctx, account)
		return lib, 0, err
	}
	if o.Library.Outline() {
		return CompleteLibrary(ctx, tx, account, cat, o.Library, o.LibraryRevision, o.Settled)
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
// applied by Apply with Options.Library set to a whole library, or to an outline with
// Options.KeepOutline (then an outline is returned, whose controls the plan put are
// whole). A whole library is shared: it is left as it was, and the one returned must
// not be modified. An outline is its caller's, as in CompleteLibrary: it is changed in
// place and returned, so that a large catalog's outline is not copied for every change.
func (p *Plan) Library() (lib *store.Library, revision int64, ok bool) {
	if p.before == nil {
		return nil, 0, false
	}
	if p.after == nil {
		p.after = p.applyTo(p.before)
	}
	return p.after, p.afterRev, true
}

// applyTo returns lib with the plan's changes made: an outline changed in place, a whole
// library copied.
func (p *Plan) applyTo(lib *store.Library) *store.Library {
	if p.Empty() {
		return lib
	}
	inPlace, out := lib.Outline(), lib
	if inPlace {
		for _, id := range p.deleteControls {
			delete(lib.ContentDigests, id)
		}
		for _, c := range p.putControls {
			lib.ContentDigests[c.ID] = probity.ContentDigest(c)
		}
	} else {
		out = &store.Library{}
	}
	out.Controls = merged(lib.Controls, p.putControls, p.deleteControls, inPlace, func(c *probity.Control) string { return c.ID })
	out.Frameworks = merged(lib.Frameworks, p.putFrameworks, p.deleteFrameworks, inPlace, func(f *probity.Framework) string { return f.ID })
	out.Rules = merged(lib.Rules, p.putRules, p.deleteRules, inPlace, func(r *probity.CustomRule) string { return r.ID })
	out.Mappings = merged(lib.Mappings, p.putMappings, p.deleteMappings, inPlace, func(m *probity.FindingMapping) string { return m.ID })
	return out
}

// merged returns items without those whose id is deleted, those put replaced where they
// are, and the other items put appended, in order: in items itself when inPlace, else
// in a copy, leaving items as it is.
func merged[T any](items []T, put []*T, deleted []string, inPlace bool, id func(*T) string) []T {
	if len(put) == 0 && len(deleted) == 0 {
		return items
	}
	if !inPlace {
		items = append(make([]T, 0, len(items)+len(put)), items...)
	}
	gone := make(map[string]bool, len(deleted))
	for _, d := range deleted {
		gone[d] = true
	}
	byID := make(map[string]*T, len(put))
	for _, x := range put {
		byID[id(x)] = x
	}
	kept := items[:0]
	for i := range items {
		k := id(&items[i])
		if gone[k] {
			continue
		}
		if y := byID[k]; y != nil {
			items[i] = *y
			delete(byID, k)
		}
		kept = append(kept, items[i])
	}
	clear(items[len(kept):]) // what was deleted, so that it is not held
	for _, x := range put {
		if byID[id(x)] != nil {
			kept = append(kept, *x)
		}
	}
	return kept
}

// writeBatch is how many controls, or a tenth as many frameworks, one write carries: a
// store turns each into rows, and a large catalog's rows all at once would be held
// beside the plan.
const writeBatch = 1000

// inBatches calls put with successive batches of items, of at most n each, and with
// release drops the plan's reference to each batch once it is written. It returns the
// first error.
func inBatches[T any](items []*T, n int, release bool, put func([]*T) error) error {
	for start := 0; start < len(items); start += n {
		batch := items[start:min(start+n, len(items))]
		if err := put(batch); err != nil {
			return err
		}
		if release {
			clear(batch)
		}
	}
	return nil
}

// write carries the plan out, in one transaction and in batches. Order matters: new
// controls before the frameworks that use them, frameworks that drop controls before
// those controls go; rules are put first and deleted last, as controls name them. With
// release the controls and frameworks put are dropped from the plan as they are written
// (Plan.Library cannot be made from it then).
func (p *Plan) write(ctx context.Context, tx store.Tx, account string, release bool) error {
	if len(p.putRules) > 0 {
		if err := tx.PutCustomRules(ctx, p.putRules); err != nil {
			return err
		}
	}
	err := inBatches(p.putControls, writeBatch, release, func(b []*probity.Control) error { return tx.PutControls(ctx, b) })
	if err != nil {
		return err
	}
	err = inBatches(p.putFrameworks, writeBatch/10, release, func(b []*probity.Framework) error { return tx.PutFrameworks(ctx, b) })
	if err != nil {
		return err
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
		if err := tx.DeleteCustomRules(ctx, account, p.deleteRules); err != nil {
			return err
		}
	}
	// Mappings name controls by name only, and no control depends on them.
	if len(p.putMappings) > 0 {
		if err := tx.PutFindingMappings(ctx, p.putMappings); err != nil {
			return err
		}
	}
	if len(p.deleteMappings) > 0 {
		return tx.DeleteFindingMappings(ctx, account, p.deleteMappings)
	}
	return nil
}
