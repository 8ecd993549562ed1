package doc

import "testing"

func TestDiagnostics(t *testing.T) {
	ds := Diagnostics{
		{Path: "b.yaml", Pos: Pos{1, 1}, Reason: "r"},
		{Path: "a.yaml", Pos: Pos{2, 1}, Field: "z", Reason: "r"},
		{Path: "a.yaml", Pos: Pos{2, 1}, Field: "y", Reason: "r"},
		{Path: "a.yaml", Pos: Pos{1, 9}, Field: "x", Reason: "r"},
		{Path: "a.yaml", Reason: "not a regular file"},
	}
	ds.Sort()
	want := "a.yaml: not a regular file\n" +
		"a.yaml:1:9: x: r\n" +
		"a.yaml:2:1: y: r\n" +
		"a.yaml:2:1: z: r\n" +
		"b.yaml:1:1: r"
	if got := ds.Error(); got != want {
		t.Errorf("sorted diagnostics:\n%s\nwant:\n%s", got, want)
	}
}
