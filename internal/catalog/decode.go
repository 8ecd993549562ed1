package catalog

import (
	"fmt"
	"slices"
	"strconv"
)

// loc is where a member of the domain object came from: its position and the member path
// as the author wrote it.
type loc struct {
	pos   Pos
	field string
}

// decoder reads one file's nodes into a document, collecting every problem.
type decoder struct {
	path  string
	diags Diagnostics
	locs  map[string]loc // API member path -> where it came from
}

func (d *decoder) errorf(pos Pos, field, format string, args ...any) {
	if pos == (Pos{}) {
		pos = Pos{1, 1} // a problem with the file as a whole
	}
	d.diags = append(d.diags, Diagnostic{Path: d.path, Pos: pos, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// note records where the API member api came from, when the decoder is placing.
func (d *decoder) note(api string, pos Pos, field string) {
	if d.locs != nil {
		d.locs[api] = loc{pos, field}
	}
}

// member is one key of a mapping: its key node (for positions) and value.
type member struct {
	key, value *node
}

// members are the known keys of one mapping, in file order. Mappings here hold a
// handful of keys, so a scan beats a map.
type members []member

// get returns the member with the key name.
func (ms members) get(name string) (member, bool) {
	for _, m := range ms {
		if m.key.text == name {
			return m, true
		}
	}
	return member{}, false
}

// fields checks that n is a mapping whose keys are all in known, reporting each unknown
// key with a suggestion, and returns the entries by key. It returns nil when n is not a
// mapping (after reporting it).
func (d *decoder) fields(n *node, field string, known []string) members {
	if n.kind != mappingNode {
		d.errorf(n.pos, field, "must be a mapping, got %s", n.describe())
		return nil
	}
	out := make(members, 0, len(n.keys))
	for i, k := range n.keys {
		if !slices.Contains(known, k.text) {
			d.errorf(k.pos, join(field, k.text), "unknown key%s", didYouMean(k.text, known))
			continue
		}
		out = append(out, member{k, n.values[i]})
	}
	return out
}

// str reads an optional string member into dst and records where it came from. Any
// scalar is taken as written (so a tag value of 1.10 stays "1.10"); null means absent.
func (d *decoder) str(m members, key, field, api string, dst *string) {
	e, ok := m.get(key)
	if !ok {
		return
	}
	f := join(field, key)
	d.note(api, e.key.pos, f)
	switch e.value.kind {
	case nullNode:
	case scalarNode:
		*dst = e.value.text
	default:
		d.errorf(e.value.pos, f, "must be a string, got %s", e.value.describe())
	}
}

// tags reads a tag map.
func (d *decoder) tags(m members, field, api string) map[string]string {
	e, ok := m.get("tags")
	if !ok || e.value.kind == nullNode {
		return nil
	}
	f := join(field, "tags")
	d.note(api, e.key.pos, f)
	if e.value.kind != mappingNode {
		d.errorf(e.value.pos, f, "must be a mapping of tag keys to values, got %s", e.value.describe())
		return nil
	}
	out := make(map[string]string, len(e.value.keys))
	for i, k := range e.value.keys {
		v := e.value.values[i]
		d.note(api+"."+k.text, k.pos, f+"."+k.text)
		switch v.kind {
		case scalarNode:
			out[k.text] = v.text
		case nullNode:
			out[k.text] = ""
		default:
			d.errorf(v.pos, f+"."+k.text, "tag value must be a string, got %s", v.describe())
		}
	}
	return out
}

// list returns the items of a list member, reporting a value of another kind.
func (d *decoder) list(e member, field string) []*node {
	switch e.value.kind {
	case sequenceNode:
		return e.value.items
	case nullNode:
		return nil
	}
	d.errorf(e.value.pos, field, "must be a list, got %s", e.value.describe())
	return nil
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func indexed(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }
