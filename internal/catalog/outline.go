package catalog

import (
	"context"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// maxCompleted bounds how many controls CompleteLibrary reads one by one; past it, the
// whole library is read instead (a catalog most of whose files changed).
const maxCompleted = 256

// CompleteLibrary returns the library to plan cat against, read in r (a View or an
// Update, so that every read sees one state). lib is what LoadKnown was given and rev
// its revision. A whole library (not an outline) is returned as it is while the
// revision holds, and read again otherwise. An outline is read again when the revision
// moved; then, in place, each of its custom controls that a parsed document of cat would
// update (same name) is replaced by the whole control, as MakePlan compares their
// members; when there are more than a few hundred, the whole library is read instead.
// The revision of the library returned is returned with it.
func CompleteLibrary(ctx context.Context, r store.Reader, account string, cat *Catalog, lib *store.Library, rev int64) (*store.Library, int64, error) {
	now, err := r.LibraryRevision(ctx, account)
	if err != nil {
		return nil, 0, err
	}
	if now != rev || lib == nil {
		if !lib.Outline() {
			lib, err = r.Library(ctx, account)
			return lib, now, err
		}
		if lib, err = r.LibraryOutline(ctx, account); err != nil {
			return nil, 0, err
		}
	}
	if !lib.Outline() {
		return lib, now, nil
	}
	byName := make(map[string]int, len(lib.Controls))
	for i := range lib.Controls {
		c := &lib.Controls[i]
		if _, dup := byName[c.Name]; !dup && c.Type == probity.ControlTypeCustom {
			byName[c.Name] = i
		}
	}
	var want []int
	for _, dc := range cat.Controls {
		if dc.stubID != "" {
			continue
		}
		if i, ok := byName[dc.Control.Name]; ok {
			want = append(want, i)
		}
	}
	if len(want) > maxCompleted {
		lib, err = r.Library(ctx, account)
		return lib, now, err
	}
	for _, i := range want {
		c, err := r.Control(ctx, account, lib.Controls[i].ID)
		if err != nil {
			return nil, 0, err
		}
		lib.Controls[i] = *c
	}
	return lib, now, nil
}
