package catalog

import (
	"slices"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// KindMapping is the kind of a finding mapping document (mappings/*.yaml).
const KindMapping = "Mapping"

var (
	mappingKeys     = []string{"kind", "name", "description", "rules"}
	mappingRuleKeys = []string{"provider", "checkId", "resourceType", "controls"}
)

// mapping reads a finding mapping document. It also returns the controls its rules name,
// each placed at its item, and notes in dc which rules had a member it could not read.
func (d *decoder) mapping(root *doc.Node, dc *Document) (*probity.FindingMapping, []Ref) {
	m := d.Fields(root, "", mappingKeys)
	fm := &probity.FindingMapping{}
	d.str(m, "name", "", "name", &fm.Name)
	d.str(m, "description", "", "description", &fm.Description)
	e, ok := m.Get("rules")
	if !ok {
		return fm, nil
	}
	d.note("rules", e.Key.Pos, "rules")
	var refs []Ref
	for i, item := range d.List(e, "rules") {
		field := doc.Index("rules", i)
		d.note(field, item.Pos, field)
		// An unreadable rule still takes its place, so later rules keep their indexes.
		var r probity.MappingRule
		before := len(d.Diags)
		rm := d.Fields(item, field, mappingRuleKeys)
		d.str(rm, "provider", field, field+".provider", &r.Provider)
		d.str(rm, "checkId", field, field+".checkId", &r.CheckID)
		d.str(rm, "resourceType", field, field+".resourceType", &r.ResourceType)
		if ce, ok := rm.Get("controls"); ok {
			cf := field + ".controls"
			d.note(cf, ce.Key.Pos, cf)
			for k, cn := range d.List(ce, cf) {
				f := doc.Index(cf, k)
				d.note(f, cn.Pos, f)
				if cn.Kind != doc.Scalar {
					d.Errorf(cn.Pos, f, "must be a control's name, got %s", cn.Describe())
					continue
				}
				r.Controls = append(r.Controls, cn.Text)
				refs = append(refs, Ref{Name: cn.Text, Pos: cn.Pos, Field: f})
			}
		}
		if len(d.Diags) > before {
			if dc.unread == nil {
				dc.unread = map[string]bool{}
			}
			dc.unread[field], dc.unread[field+".controls"] = true, true
		}
		fm.Rules = append(fm.Rules, r)
	}
	return fm, refs
}

// validateMapping runs the domain's rules and places each broken one in the file. A
// rule with a member that could not be read is not also reported as lacking a pattern or
// controls.
func (dc *Document) validateMapping() doc.Diagnostics {
	var out doc.Diagnostics
	for _, fe := range probity.ErrorFields(dc.Mapping.Validate()) {
		if dc.unread[fe.Name] {
			continue
		}
		pos, field := dc.place(fe.Name)
		out = append(out, doc.Diagnostic{Path: dc.Path, Pos: pos, Field: field, Reason: fe.Message})
	}
	return out
}

// resolveControlName returns why a mapping's reference to a control names none, or "":
// the control must be declared in the files (declared) or be in the library, custom or
// standard, and not deleted. A name that several controls share is no problem: the
// mapping reaches each of them.
func resolveControlName(r Ref, declared map[string]*probity.Control, ix *libraryIndex, deleted map[string]bool) string {
	if declared[r.Name] != nil {
		return ""
	}
	have := ix.controlsByName[r.Name]
	if slices.ContainsFunc(have, func(c *probity.Control) bool { return !deleted[c.ID] }) {
		return ""
	}
	if len(have) > 0 {
		return "control " + quote(r.Name) + " is no longer defined in the files and would be deleted"
	}
	return noControlNamed(r.Name, declared, ix, deleted)
}

// planMappings plans the finding mappings: matched to the account's by name, created,
// updated or (with Prune) deleted when the source manages them and the files no longer
// define them. The controls they name are resolved against the files' controls
// (declared) and the library's that the plan keeps; a name that resolves to none is
// returned as a diagnostic.
func (p *Plan) planMappings(cat *Catalog, ix *libraryIndex, lib *store.Library, opt Options, now time.Time,
	declared map[string]*probity.Control, deletedControls map[string]bool) doc.Diagnostics {
	var diags doc.Diagnostics
	names := map[string]bool{}
	for _, dc := range cat.Mappings {
		for _, r := range dc.MappingRefs {
			if reason := resolveControlName(r, declared, ix, deletedControls); reason != "" {
				diags = append(diags, r.problem(dc.Path, reason))
			}
		}
		want := *dc.Mapping
		want.Rules = slices.Clone(want.Rules)
		names[want.Name] = true
		if have := ix.mappings[want.Name]; have != nil {
			want.ID, want.AccountID, want.ManagedBy = have.ID, have.AccountID, have.ManagedBy
			want.CreatedAt, want.CreatedBy = have.CreatedAt, have.CreatedBy
			want.LastUpdatedAt, want.LastUpdatedBy = have.LastUpdatedAt, have.LastUpdatedBy
			if diff := want.Diff(have); len(diff) > 0 {
				want.LastUpdatedAt, want.LastUpdatedBy = now, opt.Actor
				p.putMappings = append(p.putMappings, &want)
				p.Changes = append(p.Changes, Change{Action: Update, Kind: KindMapping, Name: want.Name, ID: want.ID, Path: dc.Path, Members: diff})
			} else {
				p.Unchanged++
			}
			continue
		}
		want.ID, want.AccountID, want.ManagedBy = probity.NewID(), opt.Partition.AccountID, opt.Source
		want.CreatedAt, want.LastUpdatedAt = now, now
		want.CreatedBy, want.LastUpdatedBy = opt.Actor, opt.Actor
		p.putMappings = append(p.putMappings, &want)
		p.Changes = append(p.Changes, Change{Action: Create, Kind: KindMapping, Name: want.Name, ID: want.ID, Path: dc.Path})
	}
	if opt.Prune {
		for i := range lib.Mappings {
			m := &lib.Mappings[i]
			if m.OwnedBy(opt.Source) && !names[m.Name] {
				p.deleteMappings = append(p.deleteMappings, m.ID)
				p.Changes = append(p.Changes, Change{Action: Delete, Kind: KindMapping, Name: m.Name, ID: m.ID})
			}
		}
	}
	return diags
}
