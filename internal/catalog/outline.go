package catalog

import (
	"context"
	"strings"

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
// The revision of the library returned is returned with it. A document in settled
// (Options.Settled) or one whose file the outline's control records (recorded) is
// planned from the outline alone, and its control is not read.
func CompleteLibrary(ctx context.Context, r store.Reader, account string, cat *Catalog, lib *store.Library, rev int64, settled map[*Document]bool) (*store.Library, int64, error) {
	now, err := r.LibraryRevision(ctx, account)
	if err != nil {
		return nil, 0, err
	}
	if now != rev || lib == nil {
		settled = nil
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
		if dc.stubID != "" || settled[dc] {
			continue
		}
		if i, ok := byName[dc.Control.Name]; ok && !recorded(lib, &lib.Controls[i], dc) {
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

// recorded reports whether outline's control have is exactly what the file of dc said
// when the catalog last wrote it: the file's digest is the one recorded with the
// control's content digest, and the content has not changed since (the same trust
// LoadKnown places in an unchanged file). Only an outline's recorded content digests
// are consulted; a whole library's controls are compared instead.
func recorded(outline *store.Library, have *probity.Control, dc *Document) bool {
	if !outline.Outline() || dc.Digest == "" {
		return false
	}
	content, ok := outline.ContentDigests[have.ID]
	file, rest, cut := strings.Cut(have.SourceDigest, "/")
	return ok && cut && file == dc.Digest && rest == content
}
