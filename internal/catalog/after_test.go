package catalog

import (
	"context"
	"slices"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// TestLibraryAfterApply checks Plan.Library after a plan that updates, deletes and
// creates controls: the library it returns is the store's, for a whole library as a copy
// that leaves the one planned against as it was, for an outline as that outline changed
// in place; asking twice gives the same library.
func TestLibraryAfterApply(t *testing.T) {
	ctx := context.Background()
	account := probity.DefaultPartition.AccountID
	load := func(files ...string) *Catalog {
		var fs []doc.File
		for _, f := range files {
			fs = append(fs, doc.File{Path: "controls/" + f[:1] + ".yaml", Data: []byte("name: " + f[:1] + "\ndescription: " + f + "\n")})
		}
		cat, diags := Load(fs)
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		return cat
	}
	names := func(lib *store.Library) []string {
		var out []string
		for _, c := range lib.Controls {
			out = append(out, c.ID+" "+c.Name)
		}
		slices.Sort(out)
		return out
	}
	for _, outline := range []bool{false, true} {
		st := backends[0].open(t)
		read := st.Library
		if outline {
			read = st.LibraryOutline
		}
		lib, err := read(ctx, account)
		if err != nil {
			t.Fatal(err)
		}
		opt := Options{Prune: true, Library: lib, KeepOutline: outline}
		plan, err := Apply(ctx, st, load("A1", "B1", "C1"), opt)
		if err != nil {
			t.Fatal(err)
		}
		first, rev, ok := plan.Library()
		if !ok {
			t.Fatalf("outline=%v: no library after the first apply", outline)
		}
		firstNames := names(first)
		opt.Library, opt.LibraryRevision = first, rev
		plan, err = Apply(ctx, st, load("A2", "C1", "D1"), opt)
		if err != nil {
			t.Fatal(err)
		}
		if plan.Count(Update) != 1 || plan.Count(Delete) != 1 || plan.Count(Create) != 1 {
			t.Fatalf("outline=%v: plan %+v, want A updated, B deleted, D created", outline, plan.Changes)
		}
		after, _, _ := plan.Library()
		again, _, _ := plan.Library()
		if again != after {
			t.Errorf("outline=%v: a second call made another library", outline)
		}
		want, err := read(ctx, account)
		if err != nil {
			t.Fatal(err)
		}
		if got, w := names(after), names(want); !slices.Equal(got, w) {
			t.Errorf("outline=%v: library after %v, the store's %v", outline, got, w)
		}
		if outline {
			if after != first {
				t.Error("the outline was copied, not changed in place")
			}
			for id, d := range want.ContentDigests {
				if after.ContentDigests[id] != d {
					t.Errorf("content digest of %s: %q, the store's %q", id, after.ContentDigests[id], d)
				}
			}
			if len(after.ContentDigests) != len(want.ContentDigests) {
				t.Errorf("%d content digests, the store has %d", len(after.ContentDigests), len(want.ContentDigests))
			}
		} else if got := names(first); !slices.Equal(got, firstNames) {
			t.Errorf("the whole library planned against changed: %v, was %v", got, firstNames)
		}
	}
}
