package doc

import (
	"fmt"
	"slices"
	"strconv"
)

// Decoder reads one file's nodes, collecting every problem as a Diagnostic at Path
// instead of stopping at the first. Its zero value with Path set is ready to use.
type Decoder struct {
	Path  string
	Diags Diagnostics
}

// Errorf records a problem with the member field at pos. A zero pos means the file as a
// whole and is reported at 1:1, so that every diagnostic has a place.
func (d *Decoder) Errorf(pos Pos, field, format string, args ...any) {
	if pos == (Pos{}) {
		pos = Pos{1, 1}
	}
	d.Diags = append(d.Diags, Diagnostic{Path: d.Path, Pos: pos, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// Member is one entry of a mapping: its key node (for positions) and its value.
type Member struct {
	Key, Value *Node
}

// Members are the known entries of one mapping, in file order. Mappings in documents
// hold a handful of keys, so a scan beats a map.
type Members []Member

// Get returns the member with the key name, and false when there is none.
func (ms Members) Get(name string) (Member, bool) {
	for _, m := range ms {
		if m.Key.Text == name {
			return m, true
		}
	}
	return Member{}, false
}

// Fields checks that n is a mapping whose keys are all in known, reporting each unknown
// key at its position with a suggestion (DidYouMean), and returns the known entries. It
// returns nil when n is not a mapping, after reporting that.
func (d *Decoder) Fields(n *Node, field string, known []string) Members {
	if n.Kind != Mapping {
		d.Errorf(n.Pos, field, "must be a mapping, got %s", n.Describe())
		return nil
	}
	out := make(Members, 0, len(n.Keys))
	for i, k := range n.Keys {
		if !slices.Contains(known, k.Text) {
			d.Errorf(k.Pos, Join(field, k.Text), "unknown key%s", DidYouMean(k.Text, known))
			continue
		}
		out = append(out, Member{k, n.Values[i]})
	}
	return out
}

// String reads the member e, named field in diagnostics, into dst. Any scalar is taken
// as written (so a value of 1.10 stays "1.10"); null leaves dst alone, as an absent
// member would. Any other value is reported and leaves dst alone.
func (d *Decoder) String(e Member, field string, dst *string) {
	switch e.Value.Kind {
	case Null:
	case Scalar:
		*dst = e.Value.Text
	default:
		d.Errorf(e.Value.Pos, field, "must be a string, got %s", e.Value.Describe())
	}
}

// List returns the items of the list member e, named field in diagnostics: none for
// null, and none after reporting a value of another kind.
func (d *Decoder) List(e Member, field string) []*Node {
	switch e.Value.Kind {
	case Sequence:
		return e.Value.Items
	case Null:
		return nil
	}
	d.Errorf(e.Value.Pos, field, "must be a list, got %s", e.Value.Describe())
	return nil
}

// Join returns the member path of key within field: "field.key", or "key" at the top.
func Join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

// Index returns the member path of item i of the list field: "field[i]", counting from
// 0.
func Index(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }
