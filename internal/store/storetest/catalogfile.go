package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// testCatalogFiles checks the last good versions the pipeline keeps.
func testCatalogFiles(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) { testCatalogFilesRoundTrip(t, open) })
	t.Run("Many", func(t *testing.T) { testCatalogFilesMany(t, open) })
}

func testCatalogFilesRoundTrip(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const src, other = "s3://bucket/catalog", "file:///srv/catalog"
	file := func(source, path, data, rev string) store.CatalogFile {
		return store.CatalogFile{Source: source, Path: path, Data: []byte(data), Revision: rev, UpdatedAt: t0}
	}
	// Bytes of every value survive, including ones that are not text.
	binary := string([]byte{0, 1, 0xff, 0xfe, '\n'})
	if err := write(s, func(tx store.Tx) error {
		return tx.SaveCatalogFiles(ctx, src, []store.CatalogFile{
			file(src, "controls/a.yaml", "name: a\n", "etag-1"),
			file(src, "controls/ä b.yaml", binary, "etag-2"),
			file(src, "frameworks/f.yaml", "name: f\n", "etag-3"),
		}, nil)
	}); err != nil {
		t.Fatal(err)
	}
	if err := write(s, func(tx store.Tx) error {
		return tx.SaveCatalogFiles(ctx, other, []store.CatalogFile{file(other, "controls/a.yaml", "other", "c1")}, nil)
	}); err != nil {
		t.Fatal(err)
	}
	// Replace one (twice in the same call: the last wins), delete one plus a missing one.
	if err := write(s, func(tx store.Tx) error {
		return tx.SaveCatalogFiles(ctx, src, []store.CatalogFile{
			file(src, "controls/a.yaml", "name: a2\n", "etag-x"),
			file(src, "controls/a.yaml", "name: a3\n", "etag-4"),
		}, []string{"frameworks/f.yaml", "never/there.yaml"})
	}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		source string
		want   []store.CatalogFile
	}{
		{src, []store.CatalogFile{file(src, "controls/a.yaml", "name: a3\n", "etag-4"), file(src, "controls/ä b.yaml", binary, "etag-2")}},
		{other, []store.CatalogFile{file(other, "controls/a.yaml", "other", "c1")}},
		{"s3://none", nil},
	}
	for _, tt := range tests {
		got, err := s.CatalogFiles(ctx, tt.source)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("CatalogFiles(%q) (-want +got):\n%s", tt.source, diff)
		}
	}

	err := write(s, func(tx store.Tx) error {
		return tx.SaveCatalogFiles(ctx, src, []store.CatalogFile{file(other, "x.yaml", "x", "")}, nil)
	})
	wantCode(t, err, probity.EINVALID)
}

// testCatalogFilesMany saves more files than one multi-row statement holds.
func testCatalogFilesMany(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const src = "dir:/catalog"
	var put []store.CatalogFile
	var remove []string
	for i := range 1200 {
		p := fmt.Sprintf("controls/c%04d.yaml", i)
		put = append(put, store.CatalogFile{Source: src, Path: p, Data: []byte(p), UpdatedAt: t0.Add(time.Duration(i))})
		if i%2 == 0 {
			remove = append(remove, p)
		}
	}
	if err := write(s, func(tx store.Tx) error { return tx.SaveCatalogFiles(ctx, src, put, nil) }); err != nil {
		t.Fatal(err)
	}
	if err := write(s, func(tx store.Tx) error { return tx.SaveCatalogFiles(ctx, src, nil, remove) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.CatalogFiles(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 600 || got[0].Path != "controls/c0001.yaml" {
		t.Fatalf("got %d files starting at %q, want 600 starting at controls/c0001.yaml", len(got), got[0].Path)
	}
}
