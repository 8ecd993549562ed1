package catalog

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// TestKnownControls checks the shortcut for unchanged files: they are read from the
// library's record, any other write to the control voids the record, and problems in
// known files are still placed exactly.
func TestKnownControls(t *testing.T) {
	ctx := context.Background()
	st := backends[0].open(t)
	files := []doc.File{
		{Path: "controls/a.yaml", Data: []byte("name: A\ndescription: first\ntags: {Owner: me}\n")},
		{Path: "controls/b.yaml", Data: []byte("name: B\ndatasources:\n  - sourceName: C\n    sourceType: AWS_Config\n    sourceKeyword: {keywordValue: S3_BUCKET_VERSIONING_ENABLED}\n")},
		{Path: "frameworks/f.yaml", Data: []byte("name: F\ncontrolSets:\n  - name: S\n    controls: [A, B]\n")},
	}
	cat, diags := Load(files)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if _, err := Apply(ctx, st, cat, Options{}); err != nil {
		t.Fatal(err)
	}
	lib, _ := st.Library(ctx, probity.DefaultPartition.AccountID)

	cat, diags = LoadKnown(slices.Clone(files), lib) // LoadKnown takes the files' bytes
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	for _, d := range cat.Controls {
		if !d.known {
			t.Fatalf("%s was parsed although it did not change", d.Path)
		}
	}
	if plan, err := MakePlan(cat, lib, Options{}); err != nil || !plan.Empty() {
		t.Fatalf("plan of known files: %+v, %v", plan, err)
	}

	// Another writer changes A but keeps the record: the record no longer matches the
	// content, so the file is parsed and the plan puts the file's content back.
	err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		c, err := tx.Control(ctx, probity.DefaultPartition.AccountID, lib.Controls[0].ID)
		if err != nil {
			return err
		}
		c.Description = "changed behind the catalog's back"
		return tx.PutControls(ctx, []*probity.Control{c})
	})
	if err != nil {
		t.Fatal(err)
	}
	lib, _ = st.Library(ctx, probity.DefaultPartition.AccountID)
	cat, _ = LoadKnown(slices.Clone(files), lib)
	known := map[string]bool{}
	for _, d := range cat.Controls {
		known[d.Path] = d.known
	}
	if known["controls/a.yaml"] || !known["controls/b.yaml"] {
		t.Fatalf("known after the change: %v; want only b", known)
	}
	plan, err := MakePlan(cat, lib, Options{})
	if err != nil || plan.Count(Update) != 1 || plan.Changes[0].Members[0] != "description" {
		t.Fatalf("plan after the change: %+v, %v", plan, err)
	}

	// A copy of a known file under another name is a duplicate, placed exactly.
	copyOfB := doc.File{Path: "controls/nested/b-copy.yaml", Data: append([]byte("# copied\n"), files[1].Data...)}
	sameB := doc.File{Path: "controls/other/b.yaml", Data: files[1].Data}
	_, diags = LoadKnown([]doc.File{files[1], sameB, copyOfB}, lib)
	want := "controls/b.yaml:1:1: name: control name \"B\" is also defined in controls/nested/b-copy.yaml:2:1, controls/other/b.yaml:1:1"
	if len(diags) != 3 || diags[0].String() != want {
		t.Fatalf("duplicates:\n%v\nwant first:\n%s", diags, want)
	}

	// Whitespace changes the file but not the control: parsed, and still no change.
	spaced := doc.File{Path: "controls/b.yaml", Data: append(append([]byte{}, files[1].Data...), '\n')}
	cat, _ = LoadKnown([]doc.File{files[0], spaced, files[2]}, lib)
	if plan, err := MakePlan(cat, lib, Options{}); err != nil || plan.Count(Update) != 1 {
		t.Fatalf("plan with a reformatted file: %+v, %v", plan, err)
	}
}

func TestFileDigestSeesKind(t *testing.T) {
	data := []byte("kind: Control\nname: A\n")
	if fileDigest(doc.File{Path: "controls/a.yaml", Data: data}) == fileDigest(doc.File{Path: "frameworks/a.yaml", Data: data}) {
		t.Fatal("the same bytes in a controls and a frameworks folder have one digest")
	}
	if fileDigest(doc.File{Path: "controls/a.yaml", Data: data}) != fileDigest(doc.File{Path: "controls/x/b.yaml", Data: data}) {
		t.Fatal("moving a file within controls/ changed its digest")
	}
}

// TestLoadKnownReleasesFiles checks that LoadKnown (and Check) let go of every file's bytes except
// those of files naming custom rules, and that problems found afterwards, in MakePlan,
// are still placed exactly in known and in parsed files: a rule reference that no longer
// resolves, and a name defined twice.
func TestLoadKnownReleasesFiles(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			using := controlUsing("Custom_versioned")
			applied := []doc.File{
				{Path: "rules/v.yaml", Data: []byte(ruleFile)},
				{Path: "controls/c.yaml", Data: []byte(using)},
				{Path: "controls/plain.yaml", Data: []byte("name: plain\ndescription: d\n")},
			}
			cat, diags := Load(applied)
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			if _, err := Apply(ctx, st, cat, Options{}); err != nil {
				t.Fatal(err)
			}
			lib, err := st.Library(ctx, probity.DefaultPartition.AccountID)
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name  string
				files []doc.File
			}{
				{"the rule file removed: its known user's reference is placed", applied[1:]},
				{"the rule file removed, the user changed", []doc.File{{Path: "controls/c.yaml", Data: []byte("# changed\n" + using)}, applied[2]}},
				{"a known file copied", []doc.File{applied[0], applied[1], applied[2], {Path: "controls/copy.yaml", Data: applied[2].Data}}},
				{"nothing changed", applied},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					cat, diags := Load(tt.files)
					want := planProblems(cat, diags, lib)
					files := slices.Clone(tt.files)
					cat, diags = LoadKnown(files, lib)
					got := planProblems(cat, diags, lib)
					if got != want {
						t.Errorf("LoadKnown, then MakePlan:\n got %q\nwant %q (Load, then MakePlan)", got, want)
					}
					checked := slices.Clone(tt.files)
					Check(checked, lib)
					for i := range files {
						namesRule := strings.Contains(string(tt.files[i].Data), "Custom_")
						for what, f := range map[string]doc.File{"LoadKnown": files[i], "Check": checked[i]} {
							if (f.Data == nil) == namesRule {
								t.Errorf("%s: %s kept its bytes: %v; want them kept only for a file naming a custom rule", what, f.Path, f.Data != nil)
							}
						}
					}
				})
			}
		})
	}
}

// planProblems returns the problems of a load and of planning its catalog against lib,
// as text; "" for none.
func planProblems(cat *Catalog, diags doc.Diagnostics, lib *store.Library) string {
	if len(diags) > 0 {
		return "load: " + diags.Error()
	}
	if _, err := MakePlan(cat, lib, Options{}); err != nil {
		return "plan: " + err.Error()
	}
	return ""
}

// TestDocumentsKeepOnlyRuleFiles checks that of the documents Load makes only a rule's
// keeps its file (to place problems in its expressions; TestRuleDiagnostics checks
// those), so that a catalog's bytes are not held as long as its documents.
func TestDocumentsKeepOnlyRuleFiles(t *testing.T) {
	cat, diags := Load([]doc.File{
		{Path: "controls/c.yaml", Data: []byte(controlUsing("Custom_versioned"))},
		{Path: "controls/plain.yaml", Data: []byte("name: plain\n")},
		{Path: "frameworks/f.yaml", Data: []byte("name: F\ncontrolSets:\n  - name: S\n    controls: [c]\n")},
		{Path: "rules/v.yaml", Data: []byte(ruleFile)},
	})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	for _, dc := range slices.Concat(cat.Controls, cat.Frameworks, cat.Rules) {
		if kept := dc.src != nil || dc.data != nil; kept != (dc.Kind == KindRule) {
			t.Errorf("%s (%s): file kept: %v", dc.Path, dc.Kind, kept)
		}
	}
}
