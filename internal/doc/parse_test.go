package doc

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseRefuses checks every limit and rule of Parse: each input is refused with a
// *SyntaxError at the place of the problem and the reason.
func TestParseRefuses(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2)
	// Ten levels of ten aliases each expand to 10^10 values.
	var bomb strings.Builder
	bomb.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		ref := "*a" + string(rune('0'+i-1))
		bomb.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(ref+", ", 9) + ref + "]\n")
	}
	tests := []struct {
		name, in string
		want     SyntaxError
	}{
		{"too large", strings.Repeat("a", MaxFileSize+1), SyntaxError{Reason: "file is larger than the limit of 1048576 bytes"}},
		{"line too wide", "a: " + strings.Repeat("b", MaxLineWidth), SyntaxError{Pos: Pos{1, 1}, Reason: "line is longer than 65536 bytes"}},
		{"not utf-8", "a: b\nc: \xff\n", SyntaxError{Pos: Pos{2, 4}, Reason: "file is not valid UTF-8 text"}},
		{"nul", "a: b\x00", SyntaxError{Pos: Pos{1, 5}, Reason: "file holds a NUL byte; it is not text"}},
		{"empty", "", SyntaxError{Reason: "file is empty"}},
		{"only a comment", "# nothing\n", SyntaxError{Reason: "file is empty"}},
		{"two documents", "a: 1\n---\nb: 2\n", SyntaxError{Pos: Pos{2, 1}, Reason: "file holds more than one document"}},
		{"too deep", deep, SyntaxError{Pos: Pos{1, MaxDepth + 2}, Reason: "values are nested more than 64 deep"}},
		{"alias bomb", bomb.String(), SyntaxError{Pos: Pos{6, 5}, Reason: "file expands to more than 200000 values (check for alias loops or alias bombs)"}},
		{"custom tag", "a: !secret b\n", SyntaxError{Pos: Pos{1, 4}, Reason: "tag !secret is not supported"}},
		{"custom mapping tag", "a: !thing {b: 1}\n", SyntaxError{Pos: Pos{1, 4}, Reason: "tag !thing is not supported"}},
		{"duplicate key", "a: 1\nb: 2\na: 3\n", SyntaxError{Pos: Pos{3, 1}, Reason: `key "a" appears twice in this mapping (first at line 1)`}},
		{"duplicate key in JSON", "{\"a\": 1,\n \"a\": 2}", SyntaxError{Pos: Pos{2, 2}, Reason: `key "a" appears twice in this mapping (first at line 1)`}},
		{"mapping as key", "? {a: 1}\n: b\n", SyntaxError{Pos: Pos{1, 3}, Reason: "mapping keys must be plain strings"}},
		{"merge of a list of scalars", "a: &x [1]\nb:\n  <<: *x\n", SyntaxError{Pos: Pos{1, 8}, Reason: "<< merges mappings only"}},
		{"YAML syntax", "a: [b\nc: d\n", SyntaxError{Pos: Pos{2, 1}, Reason: "syntax error: ',' or ']' must be specified"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse([]byte(tt.in))
			var got *SyntaxError
			if !errors.As(err, &got) {
				t.Fatalf("Parse = %v, %v; want a *SyntaxError", n, err)
			}
			if got.Pos != tt.want.Pos || got.Reason != tt.want.Reason {
				t.Errorf("Parse = %v %q\nwant    %v %q", got.Pos, got.Reason, tt.want.Pos, tt.want.Reason)
			}
			if errors.Is(err, ErrManyDocuments) != (tt.name == "two documents") {
				t.Errorf("errors.Is(err, ErrManyDocuments) = %v", errors.Is(err, ErrManyDocuments))
			}
		})
	}
}

// flat is a node with its children, for comparing trees.
type flat struct {
	Kind  Kind
	Pos   Pos
	Text  string `json:",omitempty"`
	Type  string `json:",omitempty"`
	Keys  []string
	Items []flat
}

func flatten(n *Node) flat {
	f := flat{Kind: n.Kind, Pos: n.Pos, Text: n.Text, Type: n.Type}
	for i, k := range n.Keys {
		f.Keys = append(f.Keys, k.Text)
		f.Items = append(f.Items, flatten(n.Values[i]))
	}
	for _, item := range n.Items {
		f.Items = append(f.Items, flatten(item))
	}
	return f
}

// TestParsePositions checks what Parse reads, YAML or JSON: kinds, scalar types as
// written, the position of every value, anchors shared and merge keys applied where the
// mapping does not set the key itself.
func TestParsePositions(t *testing.T) {
	tests := []struct {
		name, in string
		want     flat
	}{
		{"YAML", "name: A\nversion: 1.10\nlist:\n  - true\n  - ~\n", flat{Kind: Mapping, Pos: Pos{1, 1},
			Keys: []string{"name", "version", "list"},
			Items: []flat{
				{Kind: Scalar, Pos: Pos{1, 7}, Text: "A", Type: "string"},
				{Kind: Scalar, Pos: Pos{2, 10}, Text: "1.10", Type: "float"},
				{Kind: Sequence, Pos: Pos{4, 3}, Items: []flat{
					{Kind: Scalar, Pos: Pos{4, 5}, Text: "true", Type: "boolean"},
					{Kind: Null, Pos: Pos{5, 5}},
				}},
			}}},
		{"JSON", "{\n  \"a\": [1, \"x\"]\n}\n", flat{Kind: Mapping, Pos: Pos{1, 1}, Keys: []string{"a"},
			Items: []flat{{Kind: Sequence, Pos: Pos{2, 8}, Items: []flat{
				{Kind: Scalar, Pos: Pos{2, 9}, Text: "1", Type: "integer"},
				{Kind: Scalar, Pos: Pos{2, 12}, Text: "x", Type: "string"},
			}}}}},
		{"alias and merge", "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n", flat{Kind: Mapping, Pos: Pos{1, 1},
			Keys: []string{"base", "use"},
			Items: []flat{
				{Kind: Mapping, Pos: Pos{1, 7}, Keys: []string{"x", "y"}, Items: []flat{
					{Kind: Scalar, Pos: Pos{1, 14}, Text: "1", Type: "integer"},
					{Kind: Scalar, Pos: Pos{1, 20}, Text: "2", Type: "integer"},
				}},
				{Kind: Mapping, Pos: Pos{3, 3}, Keys: []string{"y", "x"}, Items: []flat{
					{Kind: Scalar, Pos: Pos{4, 6}, Text: "3", Type: "integer"},
					{Kind: Scalar, Pos: Pos{1, 14}, Text: "1", Type: "integer"},
				}},
			}}},
		{"CRLF and a document marker", "---\r\na: b\r\n", flat{Kind: Mapping, Pos: Pos{2, 1}, Keys: []string{"a"},
			Items: []flat{{Kind: Scalar, Pos: Pos{2, 4}, Text: "b", Type: "string"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, flatten(n)); diff != "" {
				t.Errorf("nodes (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, must fail only with a
// *SyntaxError, and every node it returns must have a place.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"a: 1\n", "{\"a\": [1, 2]}", "a: &x [1]\nb: *x\n", "a: [b\n", "<<: {a: 1}\n", "- - - x\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Parse(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Reason == "" {
				t.Fatalf("Parse failed with %T %v, not a *SyntaxError with a reason", err, err)
			}
			return
		}
		var walk func(n *Node, depth int)
		walk = func(n *Node, depth int) {
			if n.Pos.Line < 1 || n.Pos.Col < 1 {
				t.Fatalf("node without a place: %+v", n)
			}
			if depth > MaxDepth+1 {
				t.Fatalf("nodes deeper than MaxDepth")
			}
			for _, c := range slices.Concat(n.Keys, n.Values, n.Items) {
				walk(c, depth+1)
			}
		}
		walk(n, 0)
	})
}
