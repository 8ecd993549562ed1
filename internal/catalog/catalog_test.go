package catalog

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

// backends opens a fresh library on each store backend.
var backends = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"sqlite", func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "probity.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}},
	{"postgres", func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), pgtest.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}},
}

func load(t *testing.T, paths ...string) *Catalog {
	t.Helper()
	files, err := doc.ReadPaths(paths, doc.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cat, diags := Load(files)
	if len(diags) > 0 {
		t.Fatalf("Load reported problems:\n%v", diags)
	}
	return cat
}

// TestExamplesLoadUnchanged checks the two example files of the README, byte for byte as
// the controls-as-code convention writes them.
func TestExamplesLoadUnchanged(t *testing.T) {
	cat := load(t, "../../examples")
	if len(cat.Controls) != 1 || len(cat.Frameworks) != 1 {
		t.Fatalf("examples hold %d controls and %d frameworks, want 1 and 1", len(cat.Controls), len(cat.Frameworks))
	}
	want := &probity.Control{
		Type:                   probity.ControlTypeCustom,
		Name:                   "DataSecurity-PublicAccessProhibited",
		Description:            "Information and records (data) are managed consistent with the organization’s risk strategy to protect the confidentiality, integrity, and availability of information.",
		ActionPlanTitle:        "All public access block settings are enabled at account level",
		ActionPlanInstructions: "Ensure all Amazon S3 resources have public access prohibited",
		TestingInformation:     "Test attestations – preventive and detective controls for prohibiting public access",
		Tags: map[string]string{"ID": "PRDS-3", "Subcategory": "Public-Access-Prohibited", "Category": "Data Security-PRDS",
			"CIS": "CIS17", "COBIT": "COBIT 5 APO07-03", "NIST": "NIST SP 800-53 Rev 4"},
		ControlMappingSources: []probity.ControlMappingSource{{
			SourceName: "Config attestation", SourceDescription: "Config attestation",
			SourceSetUpOption: probity.SetUpSystem, SourceType: probity.SourceTypeConfig,
			SourceKeyword: &probity.SourceKeyword{KeywordInputType: "SELECT_FROM_LIST", KeywordValue: "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS"},
		}},
	}
	if diff := cmp.Diff(want, cat.Controls[0].Control); diff != "" {
		t.Errorf("example control (-want +got):\n%s", diff)
	}
	fw := cat.Frameworks[0]
	if fw.Framework.Name != "Sample DataSecurity Framework" || len(fw.Refs) != 1 || fw.Refs[0][0].Name != "DataSecurity-PublicAccessProhibited" {
		t.Errorf("example framework read as %+v with refs %+v", fw.Framework, fw.Refs)
	}
}

func TestDefaultManualSource(t *testing.T) {
	cat, diags := Load([]doc.File{{Path: "controls/a.yaml", Data: []byte("name: A\n")}})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	got := cat.Controls[0].Control.ControlMappingSources
	want := []probity.ControlMappingSource{{SourceName: "Manual Attestation", SourceSetUpOption: "Procedural_Controls_Mapping", SourceType: "MANUAL"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("default source (-want +got):\n%s", diff)
	}
}

// TestRoundTrip loads the valid corpus, applies it, exports the library, loads the
// export and checks it says the same; applying the export changes nothing.
func TestRoundTrip(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			cat := load(t, "testdata/valid")
			if len(cat.Controls) != 5 || len(cat.Frameworks) != 3 || len(cat.Mappings) != 1 || len(cat.Rules) != 1 {
				t.Fatalf("valid corpus holds %d controls, %d frameworks, %d mappings and %d rules, want 5, 3, 1 and 1",
					len(cat.Controls), len(cat.Frameworks), len(cat.Mappings), len(cat.Rules))
			}
			plan, err := Apply(ctx, st, cat, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.Count(Create); got != 10 {
				t.Fatalf("first apply created %d, want 10", got)
			}
			lib, err := st.Library(ctx, probity.DefaultPartition.AccountID)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if n, err := Export(lib, dir); err != nil || n != 10 {
				t.Fatalf("Export wrote %d files, err %v; want 10", n, err)
			}
			again := load(t, dir)
			if diff := cmp.Diff(summarize(cat), summarize(again)); diff != "" {
				t.Fatalf("export loads differently (-original +exported):\n%s", diff)
			}
			plan, err = Apply(ctx, st, again, Options{Prune: true})
			if err != nil {
				t.Fatal(err)
			}
			if !plan.Empty() || plan.Unchanged != 10 {
				t.Fatalf("re-applying the export planned %+v, want no changes", plan.Changes)
			}
			after, _ := st.Library(ctx, probity.DefaultPartition.AccountID)
			if diff := cmp.Diff(lib, after); diff != "" {
				t.Fatalf("a no-op apply wrote to the library (-before +after):\n%s", diff)
			}
		})
	}
}

// summarize returns the catalog's content keyed by name, with framework references as
// names, so catalogs from different files compare equal when they say the same.
func summarize(cat *Catalog) map[string]any {
	out := map[string]any{}
	for _, d := range cat.Controls {
		c := *d.Control
		c.Normalize()
		out["control "+c.Name] = c
	}
	for _, d := range cat.Frameworks {
		f := *d.Framework
		var sets [][]string
		for _, refs := range d.Refs {
			var names []string
			for _, r := range refs {
				names = append(names, r.Name)
			}
			sets = append(sets, names)
		}
		f.ControlSets = nil
		out["framework "+f.Name] = []any{f, sets}
	}
	for _, d := range cat.Mappings {
		out["mapping "+d.Mapping.Name] = *d.Mapping
	}
	for _, d := range cat.Rules {
		out["rule "+d.Rule.Name] = *d.Rule
	}
	return out
}

func TestPlan(t *testing.T) {
	ctx := context.Background()
	st := backends[0].open(t)
	clock := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	opts := Options{Now: func() time.Time { return clock }, Actor: "ci"}
	apply := func(t *testing.T, o Options, files ...doc.File) (*Plan, error) {
		t.Helper()
		cat, diags := Load(files)
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		return Apply(ctx, st, cat, o)
	}
	ctlA := doc.File{Path: "controls/a.yaml", Data: []byte("name: A\ndescription: first\n")}
	ctlB := doc.File{Path: "controls/b.yaml", Data: []byte("name: B\n")}
	fw := doc.File{Path: "frameworks/f.yaml", Data: []byte("name: F\ncontrolSets:\n  - name: S\n    controls: [A, B]\n")}
	if _, err := apply(t, opts, ctlA, ctlB, fw); err != nil {
		t.Fatal(err)
	}

	// A control made another way (the API) is never pruned.
	apiControl := &probity.Control{ID: probity.NewID(), AccountID: probity.DefaultPartition.AccountID, Type: probity.ControlTypeCustom, Name: "From the API",
		ControlMappingSources: []probity.ControlMappingSource{probity.ManualAttestation()}, CreatedAt: clock, LastUpdatedAt: clock}
	apiControl.Normalize()
	if err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutControls(ctx, []*probity.Control{apiControl}) }); err != nil {
		t.Fatal(err)
	}

	t.Run("update lists changed members", func(t *testing.T) {
		clock = clock.Add(time.Hour)
		changed := doc.File{Path: "controls/a.yaml", Data: []byte("name: A\ndescription: second\ntags: {Owner: me}\n")}
		plan, err := apply(t, opts, changed, ctlB, fw)
		if err != nil {
			t.Fatal(err)
		}
		want := []Change{{Action: Update, Kind: KindControl, Name: "A", ID: plan.Changes[0].ID, Path: "controls/a.yaml", Members: []string{"description", "tags"}}}
		if diff := cmp.Diff(want, plan.Changes); diff != "" {
			t.Fatalf("plan (-want +got):\n%s", diff)
		}
		c, _ := st.Control(ctx, probity.DefaultPartition.AccountID, plan.Changes[0].ID)
		if !c.LastUpdatedAt.Equal(clock) || c.CreatedAt.Equal(clock) || c.LastUpdatedBy != "ci" {
			t.Fatalf("timestamps after update: created %v updated %v by %q", c.CreatedAt, c.LastUpdatedAt, c.LastUpdatedBy)
		}
		if c.ControlMappingSources[0].SourceID != probity.MappingSourceID(c.ID, "Manual Attestation") {
			t.Fatal("source id is not derived from the control and the source name")
		}
	})

	t.Run("prune refuses to delete a control in use", func(t *testing.T) {
		_, err := apply(t, Options{Prune: true}, ctlB, doc.File{Path: "frameworks/f.yaml", Data: []byte("name: F\ncontrolSets:\n  - name: S\n    controls: [A, B]\n")})
		if err == nil {
			t.Fatal("prune deleted a control a framework uses")
		}
		want := `frameworks/f.yaml:4:16: controlSets[0].controls[0]: control "A" is no longer defined in the files and would be deleted`
		if got := err.Error(); got != want {
			t.Fatalf("error = %q\nwant    %q", got, want)
		}
	})

	t.Run("prune refuses when a framework made elsewhere uses the control", func(t *testing.T) {
		lib, _ := st.Library(ctx, probity.DefaultPartition.AccountID)
		var b *probity.Control
		for i := range lib.Controls {
			if lib.Controls[i].Name == "B" {
				b = &lib.Controls[i]
			}
		}
		other := &probity.Framework{ID: probity.NewID(), AccountID: probity.DefaultPartition.AccountID, Type: probity.FrameworkTypeCustom, Name: "Made in the API",
			ControlSets: []probity.ControlSet{{Name: "S", Controls: []string{b.ID}}}, CreatedAt: clock, LastUpdatedAt: clock}
		other.Normalize()
		if err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutFrameworks(ctx, []*probity.Framework{other}) }); err != nil {
			t.Fatal(err)
		}
		before, _ := st.Library(ctx, probity.DefaultPartition.AccountID)
		_, err := apply(t, Options{Prune: true}, doc.File{Path: "controls/a.yaml", Data: []byte("name: A\n")})
		if probity.ErrorCode(err) != probity.ECONFLICT {
			t.Fatalf("err = %v, want a conflict", err)
		}
		want := `refusing to prune: control "B" is no longer in the files but framework "Made in the API" still uses it`
		if err.Error() != want {
			t.Fatalf("err = %q\nwant  %q", err, want)
		}
		after, _ := st.Library(ctx, probity.DefaultPartition.AccountID)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Fatalf("a refused plan changed the library:\n%s", diff)
		}
		if err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
			return tx.DeleteFrameworks(ctx, probity.DefaultPartition.AccountID, []string{other.ID})
		}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("prune deletes only what the files managed", func(t *testing.T) {
		plan, err := apply(t, Options{Prune: true}, doc.File{Path: "controls/a.yaml", Data: []byte("name: A\ndescription: second\ntags: {Owner: me}\n")})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range plan.Changes {
			got = append(got, string(c.Action)+" "+c.Kind+" "+c.Name)
		}
		want := []string{"delete Control B", "delete Framework F"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("changes (-want +got):\n%s", diff)
		}
		if _, err := st.Control(ctx, probity.DefaultPartition.AccountID, apiControl.ID); err != nil {
			t.Fatalf("prune deleted a control made through the API: %v", err)
		}
	})

	t.Run("another source cannot prune these files", func(t *testing.T) {
		plan, err := apply(t, Options{Prune: true, Source: "s3://other"}, doc.File{Path: "controls/z.yaml", Data: []byte("name: Z\n")})
		if err != nil {
			t.Fatal(err)
		}
		if plan.Count(Delete) != 0 {
			t.Fatalf("source s3://other pruned %+v", plan.Changes)
		}
	})
}

func TestAmbiguousReference(t *testing.T) {
	standard := probity.Control{ID: probity.NewID(), Type: probity.ControlTypeStandard, Name: "Shared name"}
	custom := probity.Control{ID: probity.NewID(), Type: probity.ControlTypeCustom, Name: "Shared name"}
	lib := &store.Library{Controls: []probity.Control{standard, custom}}
	cat, diags := Load([]doc.File{{Path: "frameworks/f.yaml", Data: []byte("name: F\ncontrolSets:\n  - name: S\n    controls: [Shared name]\n")}})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	_, err := MakePlan(cat, lib, Options{})
	want := "frameworks/f.yaml:4:16: controlSets[0].controls[0]: \"Shared name\" names more than one control (Standard " + standard.ID + ", Custom " + custom.ID + "); refer to it by id"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}

	// By id it resolves.
	cat, _ = Load([]doc.File{{Path: "frameworks/f.yaml", Data: []byte("name: F\ncontrolSets:\n  - name: S\n    controls: [{id: " + standard.ID + "}]\n")}})
	plan, err := MakePlan(cat, lib, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.putFrameworks[0].ControlSets[0].Controls; !slices.Equal(got, []string{standard.ID}) {
		t.Fatalf("resolved to %v", got)
	}
}

// TestInTransactionRollsBack checks that the hook runs inside Apply's transaction: its
// failure undoes the plan.
func TestInTransactionRollsBack(t *testing.T) {
	ctx := context.Background()
	st := backends[0].open(t)
	cat := load(t, "../../examples")
	boom := errors.New("saving the files failed")
	_, err := Apply(ctx, st, cat, Options{InTransaction: func(ctx context.Context, tx store.Tx) error {
		lib, err := tx.Library(ctx, probity.DefaultPartition.AccountID)
		if err != nil || len(lib.Controls) != 1 {
			t.Errorf("the hook does not see the plan's writes: %v, %d controls", err, len(lib.Controls))
		}
		return boom
	}})
	if !errors.Is(err, boom) {
		t.Fatalf("Apply = %v, want the hook's error", err)
	}
	if lib, _ := st.Library(ctx, probity.DefaultPartition.AccountID); len(lib.Controls)+len(lib.Frameworks) != 0 {
		t.Fatal("a failed hook left the plan applied")
	}
}

// TestLoadReportsUnreadFiles checks that a file doc.ReadPaths did not read (a link, a
// named pipe) is one diagnostic at its path, without a place in it, beside the problems
// of the files that were read.
func TestLoadReportsUnreadFiles(t *testing.T) {
	pipe := "not a regular file (named pipe); only regular files are read"
	link := "not a regular file (symbolic link out of the catalog folder); links are never followed out of it"
	cat, diags := Load([]doc.File{
		{Path: "controls/p.yaml", Problem: pipe},
		{Path: "controls/creds.yaml", Problem: link},
		{Path: "controls/a.yaml", Data: []byte("name: A\n")},
		{Path: "controls/b.yaml", Data: []byte("name: B\nowner: me\n")},
	})
	want := "controls/b.yaml:2:1: owner: unknown key\n" +
		"controls/creds.yaml: " + link + "\n" +
		"controls/p.yaml: " + pipe
	if got := diags.Error(); got != want {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", got, want)
	}
	if len(cat.Controls) != 1 || cat.Controls[0].Path != "controls/a.yaml" {
		t.Errorf("loaded %d controls, want only controls/a.yaml", len(cat.Controls))
	}
}
