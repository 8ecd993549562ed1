// Package standard makes the standard library: the read-only controls and frameworks
// (AccountID empty) that every account sees. It builds them from open data (NIST OSCAL
// catalogs and profiles, AWS Config conformance packs), ships the content whose licence
// allows it inside the binary (Builtin), applies content to a store idempotently
// (Apply), and tells which standard controls share a data source (Crosswalk).
package standard

import (
	"context"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// Author is who the standard library records as having made and changed its entries.
const Author = "probity"

// managedBy marks standard entries as this package's, for messages about them.
const managedBy = "standard"

// Content is standard controls and the frameworks that use them. Members the service
// derives (ARNs, source and control set ids, times) are filled by Apply.
type Content struct {
	Controls   []*probity.Control
	Frameworks []*probity.Framework
}

// Add appends o's controls and frameworks to c.
func (c *Content) Add(o *Content) {
	c.Controls = append(c.Controls, o.Controls...)
	c.Frameworks = append(c.Frameworks, o.Frameworks...)
}

// Summary counts what Apply did.
type Summary struct {
	ControlsCreated, ControlsUpdated, ControlsUnchanged       int
	FrameworksCreated, FrameworksUpdated, FrameworksUnchanged int
}

// Changed reports whether Apply wrote anything.
func (s Summary) Changed() bool {
	return s.ControlsCreated+s.ControlsUpdated+s.FrameworksCreated+s.FrameworksUpdated > 0
}

func (s Summary) String() string {
	return fmt.Sprintf("controls: %d created, %d updated, %d unchanged; frameworks: %d created, %d updated, %d unchanged",
		s.ControlsCreated, s.ControlsUpdated, s.ControlsUnchanged, s.FrameworksCreated, s.FrameworksUpdated, s.FrameworksUnchanged)
}

// Apply writes the content to the standard library in one transaction: entries that
// are new are created, changed ones updated in place (keeping when and by whom they
// were made), and unchanged ones left alone, so applying the same content again writes
// nothing. Nothing is deleted. partition gives the ARNs. It returns the domain's
// EINVALID error for an invalid entry, naming it, and ECONFLICT when an entry takes the
// name of another standard entry; nothing is written then.
func Apply(ctx context.Context, st store.Store, content *Content, partition probity.Partition, now time.Time) (Summary, error) {
	var sum Summary
	partition.AccountID = ""
	for _, c := range content.Controls {
		c.AccountID, c.Type, c.ManagedBy = "", probity.ControlTypeStandard, managedBy
		c.ARN = partition.ARN("control", c.ID)
		if err := c.Validate(); err != nil {
			return sum, fmt.Errorf("standard control %q: %w", c.Name, err)
		}
		c.Normalize()
	}
	for _, f := range content.Frameworks {
		f.AccountID, f.Type, f.ManagedBy = "", probity.FrameworkTypeStandard, managedBy
		f.ARN = partition.ARN("assessmentFramework", f.ID)
		if err := f.Validate(); err != nil {
			return sum, fmt.Errorf("standard framework %q: %w", f.Name, err)
		}
		f.Normalize()
	}
	err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		sum = Summary{}
		lib, err := tx.Library(ctx, "")
		if err != nil {
			return err
		}
		controls := map[string]*probity.Control{}
		names := map[string]string{}
		for i := range lib.Controls {
			c := &lib.Controls[i]
			if c.Type == probity.ControlTypeStandard {
				controls[c.ID] = c
				names[c.Name] = c.ID
			}
		}
		var put []*probity.Control
		for _, c := range content.Controls {
			if id, taken := names[c.Name]; taken && id != c.ID {
				return probity.Errorf(probity.ECONFLICT, "The standard control %q of this content has the name of the standard control %s from other content; rename one.", c.Name, id)
			}
			old := controls[c.ID]
			switch {
			case old == nil:
				c.CreatedAt, c.CreatedBy, c.LastUpdatedAt, c.LastUpdatedBy = now, Author, now, Author
				sum.ControlsCreated++
			case len(c.Diff(old)) == 0 && c.State == old.State:
				*c = *old
				sum.ControlsUnchanged++
				continue
			default:
				c.CreatedAt, c.CreatedBy, c.LastUpdatedAt, c.LastUpdatedBy = old.CreatedAt, old.CreatedBy, now, Author
				sum.ControlsUpdated++
			}
			put = append(put, c)
		}
		if len(put) > 0 {
			if err := tx.PutControls(ctx, put); err != nil {
				return err
			}
		}
		frameworks := map[string]*probity.Framework{}
		fnames := map[string]string{}
		for i := range lib.Frameworks {
			f := &lib.Frameworks[i]
			if f.Type == probity.FrameworkTypeStandard {
				frameworks[f.ID] = f
				fnames[f.Name] = f.ID
			}
		}
		var fput []*probity.Framework
		for _, f := range content.Frameworks {
			if id, taken := fnames[f.Name]; taken && id != f.ID {
				return probity.Errorf(probity.ECONFLICT, "The standard framework %q of this content has the name of the standard framework %s from other content; rename one.", f.Name, id)
			}
			old := frameworks[f.ID]
			switch {
			case old == nil:
				f.CreatedAt, f.CreatedBy, f.LastUpdatedAt, f.LastUpdatedBy = now, Author, now, Author
				sum.FrameworksCreated++
			case len(f.Diff(old)) == 0 && f.Logo == old.Logo:
				*f = *old
				sum.FrameworksUnchanged++
				continue
			default:
				f.CreatedAt, f.CreatedBy, f.LastUpdatedAt, f.LastUpdatedBy = old.CreatedAt, old.CreatedBy, now, Author
				sum.FrameworksUpdated++
			}
			fput = append(fput, f)
		}
		if len(fput) > 0 {
			return tx.PutFrameworks(ctx, fput)
		}
		return nil
	})
	return sum, err
}
