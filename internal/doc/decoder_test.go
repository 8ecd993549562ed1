package doc

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDecoder checks the typed reads: each problem is a Diagnostic at the value (or the
// unknown key), named by its member path, and reading goes on after it.
func TestDecoder(t *testing.T) {
	known := []string{"name", "description", "items"}
	tests := []struct {
		name, in string
		wantName string
		wantLen  int
		want     []string
	}{
		{"valid", "name: A\nitems: [x, y]\n", "A", 2, nil},
		{"scalars are taken as written", "name: 1.10\n", "1.10", 0, nil},
		{"null is absent", "name: ~\nitems: ~\n", "", 0, nil},
		{"unknown key with a suggestion", "nmae: A\ndescriptoin: B\nowner: C\n", "", 0, []string{
			"f.yaml:1:1: nmae: unknown key (did you mean name?)",
			"f.yaml:2:1: descriptoin: unknown key (did you mean description?)",
			"f.yaml:3:1: owner: unknown key",
		}},
		{"wrong types", "name: [a]\nitems: {a: 1}\n", "", 0, []string{
			"f.yaml:1:7: name: must be a string, got a list",
			"f.yaml:2:8: items: must be a list, got a mapping",
		}},
		{"not a mapping", "- a\n", "", 0, []string{"f.yaml:1:1: must be a mapping, got a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			d := &Decoder{Path: "f.yaml"}
			m := d.Fields(n, "", known)
			var name string
			if e, ok := m.Get("name"); ok {
				d.String(e, Join("", "name"), &name)
			}
			var items []*Node
			if e, ok := m.Get("items"); ok {
				items = d.List(e, "items")
			}
			var got []string
			for _, diag := range d.Diags {
				got = append(got, diag.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if name != tt.wantName || len(items) != tt.wantLen {
				t.Errorf("read name %q and %d items, want %q and %d", name, len(items), tt.wantName, tt.wantLen)
			}
		})
	}
}

func TestErrorfPlacesTheWholeFile(t *testing.T) {
	d := &Decoder{Path: "f.yaml"}
	d.Errorf(Pos{}, "", "file is %s", "empty")
	if got, want := d.Diags.Error(), "f.yaml:1:1: file is empty"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMemberPaths(t *testing.T) {
	if got := Index(Join(Join("", "controlSets"), "controls"), 3); got != "controlSets.controls[3]" {
		t.Errorf("got %q", got)
	}
	if got := Join(Index("a", 0), "b"); got != "a[0].b" {
		t.Errorf("got %q", got)
	}
}
