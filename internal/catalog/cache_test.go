package catalog

import (
	"crypto/sha256"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/probity-dev/probity/internal/doc"
)

// TestLoadCachedIsLoad loads a sequence of file sets through one Cache and checks that
// each load gives what Load gives the same files: documents and every diagnostic, through
// files changed, added, removed, renamed, broken, changed back and unreadable.
func TestLoadCachedIsLoad(t *testing.T) {
	a := "name: A\ndatasources:\n  - sourceName: Manual\n    sourceType: MANUAL\n"
	a2 := a + "testingInformation: changed\n"
	bad := "name: B\ndatasources: 3\n"
	fw := "name: F\ncontrolSets:\n  - name: Set\n    controls:\n      - A\n      - Missing\n"
	steps := []map[string]string{
		{"controls/a.yaml": a, "frameworks/f.yaml": fw},
		{"controls/a.yaml": a2, "frameworks/f.yaml": fw},                         // changed
		{"controls/a.yaml": a2, "controls/b.yaml": bad, "frameworks/f.yaml": fw}, // added, broken
		{"controls/a.yaml": a2, "frameworks/f.yaml": fw},                         // removed
		{"controls/moved.yaml": a2, "frameworks/f.yaml": fw},                     // renamed
		{"controls/moved.yaml": a, "frameworks/f.yaml": fw},                      // changed back
		{"controls/moved.yaml": a, "controls/copy.yaml": a},                      // a duplicate name
		{"controls/moved.yaml": a, "controls/copy.yaml": a, "controls/pipe.yaml": ""},
		{},
	}
	var c, byDigest Cache
	for i, files := range steps {
		var in []doc.File
		for _, p := range slices.Sorted(maps.Keys(files)) {
			f := doc.File{Path: p, Data: []byte(files[p])}
			if p == "controls/pipe.yaml" {
				f.Problem = "not a regular file"
			}
			in = append(in, f)
		}
		wantCat, wantDiags := Load(in)
		// Twice: the second load takes every file from the cache.
		for range 2 {
			gotCat, gotDiags := LoadCached(in, &c)
			if diff := cmp.Diff(wantDiags, gotDiags, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("step %d: diagnostics (-Load +LoadCached):\n%s", i, diff)
			}
			opt := cmp.Options{cmpopts.EquateEmpty(), cmp.AllowUnexported(Document{}), cmpopts.IgnoreFields(Document{}, "locs")}
			if diff := cmp.Diff(wantCat, gotCat, opt...); diff != "" {
				t.Errorf("step %d: catalog (-Load +LoadCached):\n%s", i, diff)
			}
		}
		// By digest (LoadCachedKnownFrom, as serve loads): the same, and only files the
		// cache does not hold as they are are read.
		for pass := range 2 {
			bare := make([]doc.File, len(in))
			sums := make([][sha256.Size]byte, len(in))
			for j, f := range in {
				bare[j], sums[j] = doc.File{Path: f.Path, Problem: f.Problem}, sha256.Sum256(f.Data)
			}
			var read []string
			gotCat, gotDiags, err := LoadCachedKnownFrom(bare, sums, func(j int) (doc.File, error) {
				read = append(read, in[j].Path)
				return in[j], nil
			}, &byDigest, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantDiags, gotDiags, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("step %d: diagnostics (-Load +LoadCachedKnownFrom):\n%s", i, diff)
			}
			opt := cmp.Options{cmpopts.EquateEmpty(), cmp.AllowUnexported(Document{}), cmpopts.IgnoreFields(Document{}, "locs")}
			if diff := cmp.Diff(wantCat, gotCat, opt...); diff != "" {
				t.Errorf("step %d: catalog (-Load +LoadCachedKnownFrom):\n%s", i, diff)
			}
			if pass == 1 && len(read) > 0 {
				t.Errorf("step %d: a load of unchanged files read %q", i, read)
			}
		}
		if len(c.files) != len(files) {
			t.Errorf("step %d: the cache holds %d files, want %d", i, len(c.files), len(files))
		}
	}
}
