package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// FuzzLoad feeds arbitrary bytes to the loader as a control or a framework file. Load
// must never panic, every diagnostic must carry a position, and a control that loads
// must survive export and loading again unchanged.
func FuzzLoad(f *testing.F) {
	paths, _ := filepath.Glob("testdata/invalid/*.txtar")
	for _, p := range paths {
		for _, file := range readArchive(f, p).files {
			if file.Path != "want" {
				f.Add(strings.HasPrefix(file.Path, "frameworks/"), file.Data)
			}
		}
	}
	_ = filepath.WalkDir("testdata/valid", func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && doc.IsDocumentName(p) {
			data, _ := os.ReadFile(p)
			f.Add(strings.Contains(p, "framework"), data)
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, framework bool, data []byte) {
		path := "controls/fuzz.yaml"
		if framework {
			path = "frameworks/fuzz.yaml"
		}
		cat, diags := Load([]doc.File{{Path: path, Data: data}})
		for _, d := range diags {
			if d.Path != path || d.Pos.Line < 1 || d.Pos.Col < 1 || d.Reason == "" {
				t.Fatalf("diagnostic without a place or a reason: %#v", d)
			}
		}
		if len(diags) > 0 || len(cat.Controls) == 0 {
			return
		}
		plan, err := MakePlan(cat, nil, Options{})
		if err != nil {
			t.Fatalf("a valid control failed to plan: %v", err)
		}
		lib := &store.Library{}
		for _, c := range plan.putControls {
			lib.Controls = append(lib.Controls, *c)
		}
		dir := t.TempDir()
		if _, err := Export(lib, dir); err != nil {
			t.Fatal(err)
		}
		files, err := doc.ReadPaths([]string{dir}, doc.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		again, diags := Load(files)
		if len(diags) > 0 {
			t.Fatalf("exported control does not load:\n%v\n%s", diags, files[0].Data)
		}
		if diff := cmp.Diff(summarize(cat), summarize(again)); diff != "" {
			t.Fatalf("export changed the control (-loaded +exported):\n%s", diff)
		}
	})
}
