package pipeline

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
)

// memoryStep is one state of a source's files, or a write to the library by another
// writer (the API) before the next reconcile.
type memoryStep struct {
	name  string
	files map[string]string
	api   func(t *testing.T, st store.Store) // when set, the step is this write
}

// TestMemoryMatchesTheStore checks what reconciles keep between them (the library and its
// revision, the last good files, what each file loaded to): a pipeline that keeps them
// must reach the same library and tell the same outcomes as one that reads everything
// from the store for every reconcile, through files changed, added, removed, renamed,
// broken, fixed and changed back, and through writes by the API between reconciles; and
// what it keeps must equal what the store holds after every reconcile. On both backends.
func TestMemoryMatchesTheStore(t *testing.T) {
	a, b, f := control("A"), control("B"), framework("F", "A", "B")
	aChanged := a + "testingInformation: changed\n"
	rule := "name: OPEN_BUCKETS\nresourceTypes: [AWS::S3::Bucket]\ncondition: resource.configuration.?acl.orValue(\"\") != \"public-read\"\n"
	steps := []memoryStep{
		{name: "first", files: map[string]string{"controls/a.yaml": a, "controls/b.yaml": b, "frameworks/f.yaml": f}},
		{name: "a file changed", files: map[string]string{"controls/a.yaml": aChanged, "controls/b.yaml": b, "frameworks/f.yaml": f}},
		{name: "a file added", files: map[string]string{"controls/a.yaml": aChanged, "controls/b.yaml": b, "controls/c.yaml": control("C"), "frameworks/f.yaml": f}},
		{name: "a file removed", files: map[string]string{"controls/a.yaml": aChanged, "controls/b.yaml": b, "frameworks/f.yaml": f}},
		{name: "a file renamed", files: map[string]string{"controls/a2.yaml": aChanged, "controls/b.yaml": b, "frameworks/f.yaml": f}},
		{name: "a file changed back", files: map[string]string{"controls/a2.yaml": a, "controls/b.yaml": b, "frameworks/f.yaml": f}},
		{name: "a file broken", files: map[string]string{"controls/a2.yaml": a, "controls/b.yaml": "name: B\ndatasources: 3\n", "frameworks/f.yaml": f}},
		{name: "a removed file in use", files: map[string]string{"controls/a2.yaml": a, "frameworks/f.yaml": f}},
		{name: "a broken file fixed", files: map[string]string{"controls/a2.yaml": a, "controls/b.yaml": b, "frameworks/f.yaml": f}},
		{name: "the API changes a control the files define", api: apiWrite(func(c *probity.Control) bool { return c.Name == "A" },
			func(c *probity.Control) { c.Description = "changed by the API" })},
		{name: "same files, after the API's change", files: map[string]string{"controls/a2.yaml": a, "controls/b.yaml": b, "frameworks/f.yaml": f}},
		{name: "the API creates X", api: apiCreate("X")},
		{name: "a file defines X too, a framework uses X", files: map[string]string{"controls/a2.yaml": a, "controls/b.yaml": b,
			"frameworks/f.yaml": f, "controls/x.yaml": control("X"), "frameworks/g.yaml": framework("G", "X")}},
		{name: "a file defines D", files: map[string]string{"controls/a2.yaml": a, "controls/b.yaml": b, "frameworks/f.yaml": f,
			"frameworks/g.yaml": framework("G", "X"), "controls/d.yaml": control("D")}},
		{name: "the API deletes D", api: apiDelete("D")},
		{name: "same files, after the API's delete", files: map[string]string{"controls/a2.yaml": a, "controls/b.yaml": b,
			"frameworks/f.yaml": f, "frameworks/g.yaml": framework("G", "X"), "controls/d.yaml": control("D")}},
		{name: "a rule file added", files: map[string]string{"controls/a2.yaml": a, "controls/b.yaml": b,
			"frameworks/f.yaml": f, "frameworks/g.yaml": framework("G", "X"), "rules/r.yaml": rule}},
		{name: "a control changed, the rule kept", files: map[string]string{"controls/a2.yaml": aChanged, "controls/b.yaml": b,
			"frameworks/f.yaml": f, "frameworks/g.yaml": framework("G", "X"), "rules/r.yaml": rule}},
		{name: "the rule changed", files: map[string]string{"controls/a2.yaml": aChanged, "controls/b.yaml": b,
			"frameworks/f.yaml": f, "frameworks/g.yaml": framework("G", "X"), "rules/r.yaml": rule + "annotation: changed\n"}},
		{name: "everything removed", files: map[string]string{}},
	}
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			type side struct {
				st     store.Store
				src    *staticSource
				p      *Pipeline
				box    *inbox
				forget bool
			}
			now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			clock := func() time.Time { return now }
			var sides []*side
			for _, forget := range []bool{false, true} {
				s := &side{st: be.open(t), src: &staticSource{name: "a"}, box: &inbox{}, forget: forget}
				p, err := New(Config{Sources: []Source{s.src}, Store: s.st, Sender: s.box, Now: clock})
				if err != nil {
					t.Fatal(err)
				}
				s.p = p
				sides = append(sides, s)
			}
			kept, fresh := sides[0], sides[1]
			for i, step := range steps {
				now = now.Add(time.Minute)
				for _, s := range sides {
					if step.api != nil {
						step.api(t, s.st)
						continue
					}
					s.src.set("", step.files)
					if s.forget {
						s.p.mu.Lock()
						s.p.forget()
						s.p.kept = map[string]*sourceMemory{}
						s.p.mu.Unlock()
					}
					if err := s.p.reconcileSource(ctx, s.p.runners[0], true); err != nil {
						t.Fatalf("step %d (%s): %v", i, step.name, err)
					}
				}
				if step.api != nil {
					continue
				}
				if diff := gocmp.Diff(names(t, fresh.st), names(t, kept.st)); diff != "" {
					t.Errorf("step %d (%s): library (-read each time +kept):\n%s", i, step.name, diff)
				}
				if diff := gocmp.Diff(outcomes(fresh.box), outcomes(kept.box)); diff != "" {
					t.Errorf("step %d (%s): outcomes (-read each time +kept):\n%s", i, step.name, diff)
				}
				checkMemory(t, kept.p, kept.st, step.name)
			}
			if len(kept.box.all()) < len(steps)/2 {
				t.Errorf("only %d outcomes told", len(kept.box.all()))
			}
		})
	}
}

// outcomes returns what the messages say, without their times.
func outcomes(b *inbox) []string {
	var out []string
	for _, m := range b.all() {
		out = append(out, m.Text)
	}
	return out
}

// checkMemory fails the test unless what p keeps is what st holds.
func checkMemory(t *testing.T, p *Pipeline, st store.Store, step string) {
	t.Helper()
	ctx := context.Background()
	p.mu.Lock()
	defer p.mu.Unlock()
	account := p.cfg.Partition.AccountID
	rev, err := st.LibraryRevision(ctx, account)
	if err != nil {
		t.Fatal(err)
	}
	if p.lib == nil {
		t.Errorf("%s: no library kept", step)
		return
	}
	if p.libRev != rev {
		t.Errorf("%s: library kept at revision %d, the store is at %d", step, p.libRev, rev)
	}
	lib, err := st.Library(ctx, account)
	if err != nil {
		t.Fatal(err)
	}
	opts := []gocmp.Option{cmpopts.EquateEmpty(), gocmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })}
	if p.lib.Outline() {
		// An outline is kept: each of its controls is the store's whole control (one a
		// reconcile read whole or wrote), or the store's outline of it; the content
		// digests are the store's.
		outline, err := st.LibraryOutline(ctx, account)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(outline.ContentDigests, p.lib.ContentDigests); diff != "" {
			t.Errorf("%s: content digests kept (-store +kept):\n%s", step, diff)
		}
		whole := map[string]probity.Control{}
		for _, c := range lib.Controls {
			whole[c.ID] = c
		}
		kept := sortedLibrary(p.lib)
		for i, c := range kept.Controls {
			if gocmp.Equal(c, whole[c.ID], opts...) {
				kept.Controls[i] = outline.Controls[slices.IndexFunc(outline.Controls, func(o probity.Control) bool { return o.ID == c.ID })]
			}
		}
		lib.Controls = outline.Controls
		lib.Frameworks, lib.Rules, lib.Mappings = outline.Frameworks, outline.Rules, outline.Mappings
		if diff := gocmp.Diff(sortedLibrary(lib), kept, opts...); diff != "" {
			t.Errorf("%s: outline kept (-store +kept):\n%s", step, diff)
		}
	} else if diff := gocmp.Diff(sortedLibrary(lib), sortedLibrary(p.lib), opts...); diff != "" {
		t.Errorf("%s: library kept (-store +kept):\n%s", step, diff)
	}
	files, err := st.CatalogFiles(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	m := p.kept["a"]
	if m == nil || !m.keptOK {
		t.Errorf("%s: no last good files kept", step)
		return
	}
	byPath := func(fs []keptFile) []keptFile {
		fs = slices.Clone(fs)
		slices.SortFunc(fs, func(a, b keptFile) int { return cmp.Compare(a.Path, b.Path) })
		return fs
	}
	stored := make([]keptFile, len(files))
	for i, f := range files {
		stored[i] = keptFile{Path: f.Path, Revision: f.Revision, Sum: sha256.Sum256(f.Data)}
	}
	if diff := gocmp.Diff(byPath(stored), byPath(m.kept), opts...); diff != "" {
		t.Errorf("%s: last good files kept (-store +kept):\n%s", step, diff)
	}
}

func sortedLibrary(lib *store.Library) *store.Library {
	out := &store.Library{Controls: slices.Clone(lib.Controls), Frameworks: slices.Clone(lib.Frameworks), Rules: slices.Clone(lib.Rules), Mappings: slices.Clone(lib.Mappings)}
	slices.SortFunc(out.Rules, func(a, b probity.CustomRule) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(out.Controls, func(a, b probity.Control) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(out.Frameworks, func(a, b probity.Framework) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// apiWrite changes the first control that match selects, as a writer other than the
// pipeline would, under the library lock.
func apiWrite(match func(*probity.Control) bool, change func(*probity.Control)) func(*testing.T, store.Store) {
	return func(t *testing.T, st store.Store) {
		ctx := context.Background()
		err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
			lib, err := tx.Library(ctx, probity.DefaultPartition.AccountID)
			if err != nil {
				return err
			}
			for _, c := range lib.Controls {
				if match(&c) {
					change(&c)
					return tx.PutControls(ctx, []*probity.Control{&c})
				}
			}
			t.Fatal("no control to change")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// apiCreate creates a custom control of the API's, named name.
func apiCreate(name string) func(*testing.T, store.Store) {
	return func(t *testing.T, st store.Store) {
		ctx := context.Background()
		part := probity.DefaultPartition
		id := probity.NewID()
		now := time.Now().UTC()
		c := &probity.Control{ID: id, ARN: part.ARN("control", id), Type: probity.ControlTypeCustom, Name: name,
			AccountID: part.AccountID, CreatedAt: now, LastUpdatedAt: now, CreatedBy: "api", LastUpdatedBy: "api",
			ControlMappingSources: []probity.ControlMappingSource{{SourceName: "Manual", SourceType: probity.SourceTypeManual}}}
		c.Normalize()
		if err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutControls(ctx, []*probity.Control{c}) }); err != nil {
			t.Fatal(err)
		}
	}
}

// apiDelete deletes the custom control named name.
func apiDelete(name string) func(*testing.T, store.Store) {
	return func(t *testing.T, st store.Store) {
		ctx := context.Background()
		account := probity.DefaultPartition.AccountID
		err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
			lib, err := tx.Library(ctx, account)
			if err != nil {
				return err
			}
			for _, c := range lib.Controls {
				if c.Name == name {
					return tx.DeleteControls(ctx, account, []string{c.ID})
				}
			}
			t.Fatalf("no control %s", name)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

type backend struct {
	name string
	open func(t *testing.T) store.Store
}

func backends() []backend {
	return []backend{
		{"sqlite", func(t *testing.T) store.Store { return openStore(t, "") }},
		{"postgres", func(t *testing.T) store.Store {
			st, err := postgres.Open(context.Background(), pgtest.DSN(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}},
	}
}

// TestSaveInBatches checks that more last good files than one write carries are saved,
// replaced and removed as one set, on both backends: what the store then holds is what
// the pipeline keeps.
func TestSaveInBatches(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			st := be.open(t)
			src := &staticSource{name: "a"}
			p, err := New(Config{Sources: []Source{src}, Store: st})
			if err != nil {
				t.Fatal(err)
			}
			files := map[string]string{}
			for i := range 2*saveBatch + 500 {
				name := fmt.Sprintf("C%05d", i)
				files["controls/"+name+".yaml"] = control(name)
			}
			steps := []struct {
				name   string
				change func()
			}{
				{"all new", func() {}},
				{"some removed, one changed", func() {
					for i := range saveBatch + 100 {
						delete(files, fmt.Sprintf("controls/C%05d.yaml", 2*i))
					}
					files["controls/C00001.yaml"] = control("C00001") + "testingInformation: changed\n"
				}},
			}
			for _, step := range steps {
				step.change()
				src.set("", files)
				if err := p.reconcileSource(ctx, p.runners[0], true); err != nil {
					t.Fatalf("%s: %v", step.name, err)
				}
				saved, err := st.CatalogFiles(ctx, "a")
				if err != nil {
					t.Fatal(err)
				}
				if len(saved) != len(files) {
					t.Fatalf("%s: %d last good files saved, want %d", step.name, len(saved), len(files))
				}
				checkMemory(t, p, st, step.name)
			}
		})
	}
}
