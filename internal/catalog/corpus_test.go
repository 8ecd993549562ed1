package catalog

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/doc"
)

var update = flag.Bool("update", false, "rewrite the expected diagnostics of testdata/invalid")

// archive is a txtar-like test case: "-- name --" lines start files; the file named
// "want" holds the expected output.
type archive struct {
	comment string
	files   []doc.File
}

func readArchive(t testing.TB, path string) archive {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var a archive
	var cur *doc.File
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if name, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "-- "); ok && strings.HasSuffix(name, " --") {
			a.files = append(a.files, doc.File{Path: strings.TrimSuffix(name, " --")})
			cur = &a.files[len(a.files)-1]
			continue
		}
		if cur == nil {
			a.comment += line
		} else {
			cur.Data = append(cur.Data, line...)
		}
	}
	return a
}

func (a archive) format() []byte {
	var b bytes.Buffer
	b.WriteString(a.comment)
	for _, f := range a.files {
		b.WriteString("-- " + f.Path + " --\n")
		b.Write(f.Data)
	}
	return b.Bytes()
}

// check checks the files and plans them against an empty library, as validate does,
// returning every diagnostic or error line.
func check(files []doc.File) string {
	cat, diags := Check(files, nil)
	if len(diags) == 0 {
		if _, err := MakePlan(cat, nil, Options{}); err != nil {
			var ds doc.Diagnostics
			if errors.As(err, &ds) {
				diags = ds
			} else {
				return err.Error() + "\n"
			}
		}
	}
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.String() + "\n")
	}
	return b.String()
}

// TestInvalidCorpus checks that each broken file in testdata/invalid gets exactly the
// diagnostics its archive expects.
func TestInvalidCorpus(t *testing.T) {
	paths, _ := filepath.Glob("testdata/invalid/*.txtar")
	if len(paths) < 40 {
		t.Fatalf("the invalid corpus has %d cases; keep at least 40", len(paths))
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			a := readArchive(t, path)
			var inputs []doc.File
			wantAt := -1
			for i, f := range a.files {
				if f.Path == "want" {
					wantAt = i
					continue
				}
				inputs = append(inputs, f)
			}
			got := check(inputs)
			if got == "" {
				t.Fatalf("no diagnostics; every case in testdata/invalid must fail")
			}
			if *update {
				if wantAt < 0 {
					a.files = append(a.files, doc.File{Path: "want"})
					wantAt = len(a.files) - 1
				}
				a.files[wantAt].Data = []byte(got)
				if err := os.WriteFile(path, a.format(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if wantAt < 0 {
				t.Fatalf("no want section; run go test -update and review the result")
			}
			if diff := cmp.Diff(string(a.files[wantAt].Data), got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}
