package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// outlinePlan plans files against st's library as plan and apply do: LoadKnown against
// the library's outline, completed in a View. It returns the plan or its problems as
// text (see planText).
func outlinePlan(t *testing.T, st store.Store, files []doc.File, opt Options) string {
	t.Helper()
	ctx := context.Background()
	account := probity.DefaultPartition.AccountID
	var lib *store.Library
	var rev int64
	if err := st.View(ctx, func(r store.Reader) error {
		var err error
		if rev, err = r.LibraryRevision(ctx, account); err != nil {
			return err
		}
		lib, err = r.LibraryOutline(ctx, account)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !lib.Outline() {
		t.Fatal("LibraryOutline returned a whole library")
	}
	cat, diags := LoadKnown(slices.Clone(files), lib)
	if len(diags) > 0 {
		return "load: " + diags.Error()
	}
	var plan *Plan
	err := st.View(ctx, func(r store.Reader) error {
		lib, _, err := CompleteLibrary(ctx, r, account, cat, lib, rev, nil)
		if err != nil {
			return err
		}
		plan, err = MakePlan(cat, lib, opt)
		return err
	})
	return planText(t, plan, err)
}

// parsedOutlinePlan plans files against st's library as serve's pipeline does: every
// file parsed (Load, as LoadCached), against the library's outline completed in a View,
// where the documents whose files the outline records are planned from it.
func parsedOutlinePlan(t *testing.T, st store.Store, files []doc.File, opt Options) string {
	t.Helper()
	ctx := context.Background()
	account := probity.DefaultPartition.AccountID
	cat, diags := Load(slices.Clone(files))
	if len(diags) > 0 {
		return "load: " + diags.Error()
	}
	var plan *Plan
	err := st.View(ctx, func(r store.Reader) error {
		rev, err := r.LibraryRevision(ctx, account)
		if err != nil {
			return err
		}
		lib, err := r.LibraryOutline(ctx, account)
		if err != nil {
			return err
		}
		if lib, _, err = CompleteLibrary(ctx, r, account, cat, lib, rev, nil); err != nil {
			return err
		}
		plan, err = MakePlan(cat, lib, opt)
		return err
	})
	return planText(t, plan, err)
}

// cachedOutlinePlan plans files against st's library as serve's pipeline does: loaded
// through its parse cache against the library's outline (LoadCachedKnown), the outline
// completed in a View.
func cachedOutlinePlan(t *testing.T, st store.Store, files []doc.File, opt Options, cache *Cache) string {
	t.Helper()
	ctx := context.Background()
	account := probity.DefaultPartition.AccountID
	var plan *Plan
	var diags doc.Diagnostics
	err := st.View(ctx, func(r store.Reader) error {
		rev, err := r.LibraryRevision(ctx, account)
		if err != nil {
			return err
		}
		lib, err := r.LibraryOutline(ctx, account)
		if err != nil {
			return err
		}
		var cat *Catalog
		if cat, diags = LoadCachedKnown(slices.Clone(files), cache, lib); len(diags) > 0 {
			return nil
		}
		if lib, _, err = CompleteLibrary(ctx, r, account, cat, lib, rev, nil); err != nil {
			return err
		}
		plan, err = MakePlan(cat, lib, opt)
		return err
	})
	if len(diags) > 0 {
		return "load: " + diags.Error()
	}
	return planText(t, plan, err)
}

// wholePlan plans files against st's whole library, as plan did before outlines.
func wholePlan(t *testing.T, st store.Store, files []doc.File, opt Options) string {
	t.Helper()
	lib, err := st.Library(context.Background(), probity.DefaultPartition.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	cat, diags := LoadKnown(slices.Clone(files), lib)
	if len(diags) > 0 {
		return "load: " + diags.Error()
	}
	plan, err := MakePlan(cat, lib, opt)
	return planText(t, plan, err)
}

// outlineAndRevision reads the default account's library outline and its revision, as the CLI
// does before a consuming plan.
func outlineAndRevision(t *testing.T, st store.Store) (*store.Library, int64) {
	t.Helper()
	outline, err := st.LibraryOutline(context.Background(), probity.DefaultPartition.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := st.LibraryRevision(context.Background(), probity.DefaultPartition.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	return outline, rev
}

// planText is a plan as JSON, the ids of what it creates left out (they are new each
// time), or its error.
func planText(t *testing.T, plan *Plan, err error) string {
	t.Helper()
	if err != nil {
		return "plan: " + err.Error()
	}
	for i := range plan.Changes {
		if plan.Changes[i].Action == Create {
			plan.Changes[i].ID = ""
		}
	}
	b, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOutlinePlanIsWholePlan checks that planning against the library's outline (small
// rows, the unchanged files standing for their controls, only the controls a changed
// file updates read in full) gives the plan and the problems that planning against the
// whole library gives: files unchanged, changed, added, removed (pruned, and refused
// while a framework uses them), duplicated, reformatted, a rule reference that no
// longer resolves, and controls changed by another writer than the catalog (as the API
// does) that the files no longer match. It also applies each plan through the outline
// and checks that the whole library then plans nothing.
func TestOutlinePlanIsWholePlan(t *testing.T) {
	ctx := context.Background()
	account := probity.DefaultPartition.AccountID
	base := []doc.File{
		{Path: "rules/v.yaml", Data: []byte(ruleFile)},
		{Path: "controls/c.yaml", Data: []byte(controlUsing("Custom_versioned"))},
		{Path: "controls/a.yaml", Data: []byte("name: A\ndescription: first\ntags: {Owner: me}\n")},
		{Path: "controls/b.yaml", Data: []byte("name: B\ndatasources:\n  - sourceName: C\n    sourceType: AWS_Config\n    sourceKeyword: {keywordValue: S3_BUCKET_VERSIONING_ENABLED}\n")},
		{Path: "controls/d.yaml", Data: []byte("name: D\n")},
		{Path: "frameworks/f.yaml", Data: []byte("name: F\ncontrolSets:\n  - name: S\n    controls: [A, B, c]\n")},
		{Path: "mappings/m.yaml", Data: []byte("name: M\nrules:\n  - provider: prowler\n    checkId: '*'\n    controls: [A]\n")},
	}
	without := func(files []doc.File, paths ...string) []doc.File {
		return slices.DeleteFunc(slices.Clone(files), func(f doc.File) bool { return slices.Contains(paths, f.Path) })
	}
	with := func(files []doc.File, add ...doc.File) []doc.File {
		out := without(files, func() []string {
			var ps []string
			for _, f := range add {
				ps = append(ps, f.Path)
			}
			return ps
		}()...)
		return append(out, add...)
	}
	// behind changes a control through the store, as the API's UpdateControl does.
	behind := func(name string, change func(c *probity.Control)) func(t *testing.T, st store.Store) {
		return func(t *testing.T, st store.Store) {
			err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
				lib, err := tx.Library(ctx, account)
				if err != nil {
					return err
				}
				i := slices.IndexFunc(lib.Controls, func(c probity.Control) bool { return c.Name == name })
				c := lib.Controls[i]
				change(&c)
				return tx.PutControls(ctx, []*probity.Control{&c})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name   string
		before func(t *testing.T, st store.Store)
		files  []doc.File
		prune  bool
		member string // a member the plan must update
	}{
		{name: "nothing changed", files: base},
		{name: "nothing changed, pruning", files: base, prune: true},
		{name: "one control changed", files: with(base, doc.File{Path: "controls/a.yaml", Data: []byte("name: A\ndescription: second\n")})},
		{name: "reformatted", files: with(base, doc.File{Path: "controls/b.yaml", Data: append(slices.Clone(base[3].Data), '\n')})},
		{name: "a control added", files: append(slices.Clone(base), doc.File{Path: "controls/e.yaml", Data: []byte("name: E\n")})},
		{name: "a control removed, pruned", files: without(base, "controls/d.yaml"), prune: true},
		{name: "a control a framework uses removed, pruned", files: without(base, "controls/a.yaml"), prune: true},
		{name: "a control renamed", files: with(base, doc.File{Path: "controls/d.yaml", Data: []byte("name: D2\n")}), prune: true},
		{name: "a known file copied", files: append(slices.Clone(base), doc.File{Path: "controls/copy.yaml", Data: base[4].Data})},
		{name: "the rule removed: its known user's reference", files: without(base, "rules/v.yaml")},
		{name: "the rule removed, pruned", files: without(base, "rules/v.yaml", "controls/c.yaml"), prune: true},
		{name: "a framework names a control that is gone", files: with(without(base, "controls/b.yaml"),
			doc.File{Path: "frameworks/f.yaml", Data: []byte("name: F\ncontrolSets:\n  - name: S\n    controls: [A, Bee, c]\n")})},
		{name: "description changed behind the files", before: behind("A", func(c *probity.Control) { c.Description = "edited in the console" }), files: base},
		{name: "a data source changed behind the files", before: behind("B", func(c *probity.Control) {
			c.ControlMappingSources[0].SourceDescription = "edited"
		}), files: base},
		{name: "domain changed behind the files", before: behind("A", func(c *probity.Control) { c.Domain = "Elsewhere" }), files: base, member: "domain"},
		{name: "domain changed in the files", files: with(base, doc.File{Path: "controls/a.yaml", Data: []byte("name: A\ndescription: first\ntags: {Owner: me}\ndomain: Access\n")}), member: "domain"},
		{name: "tags changed behind the files", before: behind("A", func(c *probity.Control) { c.Tags = map[string]string{"Owner": "you"} }), files: base},
		{name: "a rule user changed behind the files", before: behind("c", func(c *probity.Control) { c.TestingInformation = "t" }), files: base},
		{name: "changed behind the files and in them", before: behind("A", func(c *probity.Control) { c.Description = "edited" }),
			files: with(base, doc.File{Path: "controls/a.yaml", Data: []byte("name: A\ndescription: third\n")})},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					st := b.open(t)
					cat, diags := Load(base)
					if len(diags) > 0 {
						t.Fatal(diags)
					}
					if _, err := Apply(ctx, st, cat, Options{}); err != nil {
						t.Fatal(err)
					}
					// serve's parse cache: the files parsed while the library was empty,
					// then loaded against its outline, when they become stand-ins.
					var cache Cache
					LoadCachedKnown(slices.Clone(base), &cache, nil)
					primed, err := st.LibraryOutline(ctx, account)
					if err != nil {
						t.Fatal(err)
					}
					LoadCachedKnown(slices.Clone(base), &cache, primed)
					for path, cf := range cache.files {
						d := cf.result.doc
						if d.Kind != KindControl {
							continue
						}
						if d.stubID == "" {
							t.Fatalf("the cache holds %s parsed, not as a stand-in", path)
						}
						// A stand-in is its name, and a control only for custom rules' sake.
						if (d.Control != nil) != (len(d.RuleRefs) > 0) || d.Name() == "" {
							t.Fatalf("stand-in of %s: control %v, rule references %v, name %q", path, d.Control, d.RuleRefs, d.Name())
						}
					}
					if tt.before != nil {
						tt.before(t, st)
					}
					opt := Options{Prune: tt.prune}
					want := wholePlan(t, st, tt.files, opt)
					got := outlinePlan(t, st, tt.files, opt)
					if got != want {
						t.Fatalf("through the outline:\n got %s\nwant %s", got, want)
					}
					// Load leaves references to the plan: a problem is the same, found later.
					bare := func(s string) string { return strings.TrimPrefix(strings.TrimPrefix(s, "load: "), "plan: ") }
					if got := parsedOutlinePlan(t, st, tt.files, opt); bare(got) != bare(want) {
						t.Fatalf("parsed, through the outline:\n got %s\nwant %s", got, want)
					}
					if got := cachedOutlinePlan(t, st, tt.files, opt, &cache); bare(got) != bare(want) {
						t.Fatalf("through the parse cache's stand-ins and the outline:\n got %s\nwant %s", got, want)
					}
					// The CLI lets the plan take its documents (Options.Consume).
					consume := opt
					consume.Consume = true
					if got := wholePlan(t, st, tt.files, consume); got != want {
						t.Fatalf("taking the documents, against the whole library:\n got %s\nwant %s", got, want)
					}
					if got := outlinePlan(t, st, tt.files, consume); got != want {
						t.Fatalf("taking the documents, through the outline:\n got %s\nwant %s", got, want)
					}
					if tt.member != "" && !strings.Contains(want, `"`+tt.member+`"`) {
						t.Fatalf("the plan does not update %s: %s", tt.member, want)
					}
					if strings.HasPrefix(want, "load:") || strings.HasPrefix(want, "plan:") {
						return
					}
					// Apply as the CLI does, then nothing is left to plan.
					outline, rev := outlineAndRevision(t, st)
					cat, diags = LoadKnown(slices.Clone(tt.files), outline)
					if len(diags) > 0 {
						t.Fatal(diags)
					}
					opt.Library, opt.LibraryRevision, opt.Consume = outline, rev, true
					plan, err := Apply(ctx, st, cat, opt)
					if err != nil {
						t.Fatal(err)
					}
					if got := planText(t, plan, nil); got != want {
						t.Fatalf("applied through the outline:\n got %s\nwant %s", got, want)
					}
					if _, _, ok := plan.Library(); ok {
						t.Error("Plan.Library of an outline")
					}
					if again := wholePlan(t, st, tt.files, Options{Prune: tt.prune}); !strings.Contains(again, `"changes":[]`) {
						t.Fatalf("after applying, the whole library still plans %s", again)
					}
				})
			}
		})
	}
}

// TestOutlineLibraryMoved checks that a catalog loaded against an outline is not applied
// once a control one of its unchanged files stands for has changed meanwhile
// (ErrLibraryMoved: plan and apply then load the files again), and is applied when
// another control changed.
func TestOutlineLibraryMoved(t *testing.T) {
	ctx := context.Background()
	account := probity.DefaultPartition.AccountID
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			files := []doc.File{
				{Path: "controls/a.yaml", Data: []byte("name: A\ndescription: first\n")},
				{Path: "controls/b.yaml", Data: []byte("name: B\n")},
			}
			cat, _ := Load(files)
			if _, err := Apply(ctx, st, cat, Options{}); err != nil {
				t.Fatal(err)
			}
			change := func(name, description string) {
				t.Helper()
				err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
					lib, err := tx.Library(ctx, account)
					if err != nil {
						return err
					}
					i := slices.IndexFunc(lib.Controls, func(c probity.Control) bool { return c.Name == name })
					c := lib.Controls[i]
					c.Description = description
					return tx.PutControls(ctx, []*probity.Control{&c})
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			// An API write moves B meanwhile: the stand-in for b.yaml no longer holds.
			outline, _ := st.LibraryOutline(ctx, account)
			rev, _ := st.LibraryRevision(ctx, account)
			cat, _ = LoadKnown(slices.Clone(files), outline)
			change("B", "edited")
			_, err := Apply(ctx, st, cat, Options{Library: outline, LibraryRevision: rev})
			if !errors.Is(err, ErrLibraryMoved) {
				t.Fatalf("Apply after the library moved under a stand-in: %v, want ErrLibraryMoved", err)
			}
			// Read again: b.yaml is parsed and B put back as the file says.
			outline, _ = st.LibraryOutline(ctx, account)
			rev, _ = st.LibraryRevision(ctx, account)
			cat, _ = LoadKnown(slices.Clone(files), outline)
			// A write to a control no file stands for (A is not known either way, as its
			// file changed) does not void the load.
			files[0].Data = []byte("name: A\ndescription: second\n")
			cat, _ = LoadKnown(slices.Clone(files), outline)
			change("A", "edited too")
			plan, err := Apply(ctx, st, cat, Options{Library: outline, LibraryRevision: rev})
			if err != nil {
				t.Fatal(err)
			}
			if plan.Count(Update) != 2 {
				t.Fatalf("plan: %+v; want A and B updated", plan.Changes)
			}
		})
	}
}

// TestApplyRunsAgain has Apply's transaction run twice. Applying as serve does (the
// documents and the outline kept) gives the same plan and library as one run. Applying as
// the CLI does (the documents consumed) gives ErrLibraryMoved, on which the CLI reads the
// files again, and leaves the library as it was.
func TestApplyRunsAgain(t *testing.T) {
	ctx := context.Background()
	account := probity.DefaultPartition.AccountID
	files := []doc.File{
		{Path: "controls/a.yaml", Data: []byte("name: A\n")},
		{Path: "controls/b.yaml", Data: []byte("name: B\n")},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			cat, _ := Load(slices.Clone(files))
			if _, err := Apply(ctx, st, cat, Options{}); err != nil {
				t.Fatal(err)
			}
			files := slices.Clone(files)
			files[0].Data = []byte("name: A\ndescription: changed\n")
			files = append(files, doc.File{Path: "controls/c.yaml", Data: []byte("name: C\n")})
			load := func() (*Catalog, *store.Library, int64) {
				t.Helper()
				outline, rev := outlineAndRevision(t, st)
				cat, errs := LoadKnown(slices.Clone(files), outline)
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				return cat, outline, rev
			}
			descriptions := func() string {
				t.Helper()
				lib, err := st.Library(ctx, account)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, c := range lib.Controls {
					out = append(out, c.Name+"="+c.Description)
				}
				return fmt.Sprint(out)
			}

			cat, outline, rev := load()
			_, err := Apply(ctx, storetest.RunsTwice{Store: st}, cat, Options{Library: outline, LibraryRevision: rev, Consume: true})
			if !errors.Is(err, ErrLibraryMoved) {
				t.Fatalf("Apply consuming its documents, run twice: %v, want ErrLibraryMoved", err)
			}
			if got, want := descriptions(), "[A= B=]"; got != want {
				t.Fatalf("library after the refused apply: %s, want %s", got, want)
			}

			cat, outline, rev = load()
			plan, err := Apply(ctx, storetest.RunsTwice{Store: st}, cat, Options{Library: outline, LibraryRevision: rev, KeepOutline: true})
			if err != nil {
				t.Fatal(err)
			}
			if plan.Count(Create) != 1 || plan.Count(Update) != 1 || plan.Count(Delete) != 0 {
				t.Fatalf("plan: %+v; want C created and A updated", plan.Changes)
			}
			if got, want := descriptions(), "[A=changed B= C=]"; got != want {
				t.Fatalf("library after the apply run twice: %s, want %s", got, want)
			}
		})
	}
}
