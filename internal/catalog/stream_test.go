package catalog

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// writeFiles writes files below a new folder and returns it.
func writeFiles(t *testing.T, files []doc.File) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadText is what a load made of the files: its problems, else its plan against lib
// (planText), so that two loads compare as the CLI shows them.
func loadText(t *testing.T, cat *Catalog, diags doc.Diagnostics, lib *store.Library) string {
	t.Helper()
	if len(diags) > 0 {
		return "load: " + diags.Error()
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	plan, err := MakePlan(cat, lib, Options{Now: func() time.Time { return at }})
	return planText(t, plan, err)
}

// streamCases are folders of files: every archive of the invalid corpus, and the valid
// corpus.
func streamCases(t *testing.T) map[string]string {
	t.Helper()
	cases := map[string]string{}
	paths, _ := filepath.Glob("testdata/invalid/*.txtar")
	for _, path := range paths {
		var files []doc.File
		for _, f := range readArchive(t, path).files {
			if f.Path != "want" {
				files = append(files, f)
			}
		}
		cases["invalid/"+strings.TrimSuffix(filepath.Base(path), ".txtar")] = writeFiles(t, files)
	}
	valid := t.TempDir()
	if err := os.CopyFS(valid, os.DirFS("testdata/valid")); err != nil {
		t.Fatal(err)
	}
	cases["valid"] = valid
	return cases
}

// TestCheckFromIsCheck checks that reading the files as they are decoded (CheckFrom,
// LoadKnownFrom without a library) gives exactly the problems, or the plan, of reading
// them all first (doc.ReadPaths, then Check or LoadKnown): every case of the invalid
// corpus and the valid corpus.
func TestCheckFromIsCheck(t *testing.T) {
	for name, dir := range streamCases(t) {
		t.Run(name, func(t *testing.T) {
			files, err := doc.ReadPaths([]string{dir}, doc.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			l, err := doc.ListPaths([]string{dir}, doc.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			cat, diags := Check(cloneFiles(files), nil)
			want := loadText(t, cat, diags, nil)
			cat, diags, err = CheckFrom(l, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := loadText(t, cat, diags, nil); got != want {
				t.Errorf("CheckFrom:\n%s\nCheck:\n%s", got, want)
			}
			cat, diags = LoadKnown(cloneFiles(files), nil)
			want = loadText(t, cat, diags, nil)
			cat, diags, err = LoadKnownFrom(l, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := loadText(t, cat, diags, nil); got != want {
				t.Errorf("LoadKnownFrom:\n%s\nLoadKnown:\n%s", got, want)
			}
		})
	}
}

// TestLoadKnownFromIsLoadKnown checks LoadKnownFrom against LoadKnown with the files
// applied, against the whole library and its outline: unchanged files (read from the
// library, their bytes dropped as they are read), one changed, and copies of unchanged
// files under other paths, whose duplicate names are placed by reading the files again
// exactly as LoadKnown places them. A file that cannot be read is LoadKnownFrom's error.
func TestLoadKnownFromIsLoadKnown(t *testing.T) {
	ctx := context.Background()
	account := probity.DefaultPartition.AccountID
	base := t.TempDir()
	if err := os.CopyFS(base, os.DirFS("testdata/valid")); err != nil {
		t.Fatal(err)
	}
	files, err := doc.ReadPaths([]string{base}, doc.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cat, diags := Load(cloneFiles(files))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	st := backends[0].open(t)
	if _, err := Apply(ctx, st, cat, Options{}); err != nil {
		t.Fatal(err)
	}
	whole, err := st.Library(ctx, account)
	if err != nil {
		t.Fatal(err)
	}
	outline, err := st.LibraryOutline(ctx, account)
	if err != nil {
		t.Fatal(err)
	}
	control := func(suffix string) string { // a control file of the corpus
		for _, f := range files {
			if strings.Contains(f.Path, "/controls/") && strings.HasSuffix(f.Path, suffix) {
				return f.Path
			}
		}
		t.Fatalf("no control file ends in %s", suffix)
		return ""
	}
	first := control("restricted-ssh.yml") // its name is on line 2: placing it reads the file
	firstData, _ := os.ReadFile(first)
	steps := []struct {
		name string
		do   func(t *testing.T)
	}{
		{"unchanged", func(*testing.T) {}},
		{"copies of unchanged files", func(t *testing.T) {
			for i, p := range []string{"controls/copy/a.yml", "controls/copy/b.yml"} {
				data := firstData
				if i == 1 {
					data = append([]byte("# a comment moves the name\n\n"), firstData...)
				}
				if err := os.MkdirAll(filepath.Join(base, "controls/copy"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(base, p), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"one changed", func(t *testing.T) {
			if err := os.RemoveAll(filepath.Join(base, "controls/copy")); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(first, append(append([]byte{}, firstData...), []byte("\ndomain: changed\n")...), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			step.do(t)
			files, err := doc.ReadPaths([]string{base}, doc.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			l, err := doc.ListPaths([]string{base}, doc.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, lib := range []*store.Library{whole, outline} {
				cat, diags := LoadKnown(cloneFiles(files), lib)
				known := 0
				for _, d := range cat.Controls {
					if d.known {
						known++
					}
				}
				if known == 0 && len(diags) == 0 {
					t.Fatal("no file was taken from the library")
				}
				want := loadText(t, cat, diags, whole)
				cat, diags, err := LoadKnownFrom(l, lib)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range cat.Controls {
					if d.known && len(d.RuleRefs) == 0 && d.data != nil {
						t.Errorf("%s: the bytes of a known file are still held", d.Path)
					}
				}
				if got := loadText(t, cat, diags, whole); got != want {
					t.Errorf("outline %v: LoadKnownFrom:\n%s\nLoadKnown:\n%s", lib.Outline(), got, want)
				}
			}
		})
	}

	l, err := doc.ListPaths([]string{base}, doc.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(first); err != nil {
		t.Fatal(err)
	}
	if cat, _, err := LoadKnownFrom(l, outline); !errors.Is(err, fs.ErrNotExist) || cat != nil {
		t.Fatalf("a file gone after the listing: %v, %v; want fs.ErrNotExist", cat, err)
	}
}

func cloneFiles(files []doc.File) []doc.File {
	out := make([]doc.File, len(files))
	copy(out, files)
	return out
}
