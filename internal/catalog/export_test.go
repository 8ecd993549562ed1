package catalog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// TestExportFromPagesTheLibrary checks that ExportFrom, which reads the custom controls a
// page at a time beside the library's outline, writes exactly the files Export writes
// from the whole library, over several pages and a last one that is full.
func TestExportFromPagesTheLibrary(t *testing.T) {
	ctx := context.Background()
	account := probity.DefaultPartition.AccountID
	st := backends[0].open(t)
	files := []doc.File{{Path: "frameworks/f.yaml", Data: []byte("name: F\ncontrolSets:\n  - name: S\n    controls: [C1, C2, C3, C4]\n")}}
	for i := 1; i <= 4; i++ {
		files = append(files, doc.File{Path: fmt.Sprintf("controls/c%d.yaml", i),
			Data: []byte(fmt.Sprintf("name: C%d\ndescription: control %d\ntags: {Family: AC}\n", i, i))})
	}
	cat, diags := Load(files)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if _, err := Apply(ctx, st, cat, Options{}); err != nil {
		t.Fatal(err)
	}
	lib, err := st.Library(ctx, account)
	if err != nil {
		t.Fatal(err)
	}
	whole := t.TempDir()
	if _, err := Export(lib, whole); err != nil {
		t.Fatal(err)
	}
	defer func(n int) { exportPage = n }(exportPage)
	for _, page := range []int{1, 2, 3} {
		exportPage = page
		paged := t.TempDir()
		var n int
		if err := st.View(ctx, func(r store.Reader) (err error) {
			n, err = ExportFrom(ctx, r, account, paged)
			return err
		}); err != nil || n != 5 {
			t.Fatalf("page %d: ExportFrom wrote %d files, err %v; want 5", page, n, err)
		}
		for _, f := range files {
			want, err := os.ReadFile(filepath.Join(whole, f.Path))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(paged, f.Path))
			if err != nil || string(got) != string(want) {
				t.Errorf("page %d: %s is %q (%v), Export wrote %q", page, f.Path, got, err, want)
			}
		}
	}
}
