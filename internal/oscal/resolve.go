package oscal

import (
	"fmt"
	"path"
	"slices"
)

// Entry is a control of a catalog with where it sits.
type Entry struct {
	Control *Control
	// Parent is the control this one enhances, or nil for a top-level control.
	Parent *Control
	// Family is the catalog's top-level group that holds the control, or nil when it
	// sits in no group.
	Family *Group
}

// Entries returns every control of the catalog, enhancements included, in document
// order (each control before its enhancements).
func (c *Catalog) Entries() []Entry {
	var out []Entry
	var controls func(fam *Group, parent *Control, cs []Control)
	controls = func(fam *Group, parent *Control, cs []Control) {
		for i := range cs {
			out = append(out, Entry{Control: &cs[i], Parent: parent, Family: fam})
			controls(fam, &cs[i], cs[i].Controls)
		}
	}
	var groups func(fam *Group, gs []Group)
	groups = func(fam *Group, gs []Group) {
		for i := range gs {
			f := fam
			if f == nil {
				f = &gs[i]
			}
			controls(f, nil, gs[i].Controls)
			groups(f, gs[i].Groups)
		}
	}
	controls(nil, nil, c.Controls)
	groups(nil, c.Groups)
	return out
}

// Selection is the controls a profile takes from one catalog.
type Selection struct {
	Catalog *Catalog
	// IDs are the selected control ids in the catalog's order.
	IDs []string
}

// Resolver returns the document an import's href names (a catalog or a profile).
type Resolver func(href string) (*Document, error)

// Resolve returns the controls the profile selects, one Selection per catalog, in the
// order of the profile's imports. An import of another profile selects among that
// profile's controls. It returns an error naming the import for an href the resolver
// cannot load, a pattern that is not a valid glob, a with-id that names no control,
// and an import cycle.
func (p *Profile) Resolve(resolve Resolver) ([]Selection, error) {
	return p.resolve(resolve, nil)
}

func (p *Profile) resolve(resolve Resolver, stack []*Profile) ([]Selection, error) {
	if slices.Contains(stack, p) {
		return nil, fmt.Errorf("profile %q imports itself", string(p.Metadata.Title))
	}
	stack = append(stack, p)
	var out []Selection
	for i, im := range p.Imports {
		name := fmt.Sprintf("profile.imports[%d]", i)
		doc, err := resolve(im.Href)
		if err != nil {
			return nil, fmt.Errorf("%s.href: %w", name, err)
		}
		var sources []Selection
		if doc.Catalog != nil {
			sources = []Selection{{Catalog: doc.Catalog, IDs: allIDs(doc.Catalog)}}
		} else {
			if sources, err = doc.Profile.resolve(resolve, stack); err != nil {
				return nil, err
			}
		}
		for _, src := range sources {
			ids, err := im.selectFrom(name, src)
			if err != nil {
				return nil, err
			}
			out = merge(out, Selection{Catalog: src.Catalog, IDs: ids})
		}
	}
	return out, nil
}

// merge adds s to the selections, uniting it with an earlier one of the same catalog.
func merge(sels []Selection, s Selection) []Selection {
	for i := range sels {
		if sels[i].Catalog == s.Catalog {
			set := map[string]bool{}
			for _, id := range append(sels[i].IDs, s.IDs...) {
				set[id] = true
			}
			sels[i].IDs = inOrder(s.Catalog, set)
			return sels
		}
	}
	return append(sels, s)
}

func allIDs(c *Catalog) []string {
	es := c.Entries()
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.Control.ID
	}
	return ids
}

func inOrder(c *Catalog, set map[string]bool) []string {
	var ids []string
	for _, e := range c.Entries() {
		if set[e.Control.ID] {
			ids = append(ids, e.Control.ID)
		}
	}
	return ids
}

// selectFrom applies the import's includes and excludes to the controls src offers.
func (im *Import) selectFrom(name string, src Selection) ([]string, error) {
	offered := map[string]bool{}
	for _, id := range src.IDs {
		offered[id] = true
	}
	children := map[string][]string{}
	for _, e := range src.Catalog.Entries() {
		if e.Parent != nil {
			children[e.Parent.ID] = append(children[e.Parent.ID], e.Control.ID)
		}
	}
	chosen := map[string]bool{}
	if im.IncludeAll != nil {
		for _, id := range src.IDs {
			chosen[id] = true
		}
	}
	apply := func(list string, sels []Selector, to bool) error {
		for j, s := range sels {
			sn := fmt.Sprintf("%s.%s[%d]", name, list, j)
			ids, err := s.match(sn, src.IDs, offered, children)
			if err != nil {
				return err
			}
			for _, id := range ids {
				chosen[id] = to
			}
		}
		return nil
	}
	if err := apply("include-controls", im.IncludeControls, true); err != nil {
		return nil, err
	}
	if err := apply("exclude-controls", im.ExcludeControls, false); err != nil {
		return nil, err
	}
	var out []string
	for _, id := range src.IDs {
		if chosen[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// match returns the offered ids the selector names, with their descendants when
// with-child-controls is "yes".
func (s *Selector) match(name string, ids []string, offered map[string]bool, children map[string][]string) ([]string, error) {
	var out []string
	for k, id := range s.WithIDs {
		if !offered[id] {
			return nil, fmt.Errorf("%s.with-ids[%d]: %q is not a control of the imported catalog", name, k, id)
		}
		out = append(out, id)
	}
	for k, m := range s.Matching {
		if _, err := path.Match(m.Pattern, ""); err != nil || m.Pattern == "" {
			return nil, fmt.Errorf("%s.matching[%d].pattern: %q is not a valid glob (use * and ?)", name, k, m.Pattern)
		}
		for _, id := range ids {
			if ok, _ := path.Match(m.Pattern, id); ok {
				out = append(out, id)
			}
		}
	}
	if s.WithChildControls == "yes" {
		var add func(id string)
		add = func(id string) {
			for _, c := range children[id] {
				if offered[c] {
					out = append(out, c)
				}
				add(c)
			}
		}
		for _, id := range slices.Clone(out) {
			add(id)
		}
	}
	return out, nil
}
