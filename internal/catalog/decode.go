package catalog

import (
	"unique"

	"github.com/probity-dev/probity/internal/doc"
)

// loc is where a member of the domain object came from: its position and the member path
// as the author wrote it.
type loc struct {
	pos   doc.Pos
	field string
}

// decoder reads one file's nodes into a document, collecting every problem and, when
// placing, where each API member came from.
type decoder struct {
	doc.Decoder
	locs map[string]loc // API member path -> where it came from
}

// note records where the API member api came from, when the decoder is placing.
func (d *decoder) note(api string, pos doc.Pos, field string) {
	if d.locs != nil {
		d.locs[api] = loc{pos, field}
	}
}

// str reads an optional string member into dst and records where it came from. Any
// scalar is taken as written (so a tag value of 1.10 stays "1.10"); null means absent.
func (d *decoder) str(m doc.Members, key, field, api string, dst *string) {
	e, ok := m.Get(key)
	if !ok {
		return
	}
	f := doc.Join(field, key)
	d.note(api, e.Key.Pos, f)
	d.String(e, f, dst)
	*dst = intern(*dst)
}

// internMax is the longest value intern shares: source types, frequencies, tag keys and
// the like repeat across a catalog's files, descriptions seldom do.
const internMax = 64

// intern returns s, or an equal string already held, when s is short: the documents of
// a large catalog then hold each repeated value once instead of once per file.
func intern(s string) string {
	if s == "" || len(s) > internMax {
		return s
	}
	return unique.Make(s).Value()
}

// tags reads a tag map.
func (d *decoder) tags(m doc.Members, field, api string) map[string]string {
	e, ok := m.Get("tags")
	if !ok || e.Value.Kind == doc.Null {
		return nil
	}
	f := doc.Join(field, "tags")
	d.note(api, e.Key.Pos, f)
	if e.Value.Kind != doc.Mapping {
		d.Errorf(e.Value.Pos, f, "must be a mapping of tag keys to values, got %s", e.Value.Describe())
		return nil
	}
	out := make(map[string]string, len(e.Value.Keys))
	for i, k := range e.Value.Keys {
		v := e.Value.Values[i]
		d.note(api+"."+k.Text, k.Pos, f+"."+k.Text)
		switch v.Kind {
		case doc.Scalar:
			out[intern(k.Text)] = intern(v.Text)
		case doc.Null:
			out[intern(k.Text)] = ""
		default:
			d.Errorf(v.Pos, f+"."+k.Text, "tag value must be a string, got %s", v.Describe())
		}
	}
	return out
}
