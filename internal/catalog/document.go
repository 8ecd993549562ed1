package catalog

import (
	"path"
	"strings"

	"github.com/probity-dev/probity"
)

// Kinds of document.
const (
	KindControl   = "Control"
	KindFramework = "Framework"
)

// File is one input file: its path as the user knows it (relative to what they named,
// or an object key) and its bytes.
type File struct {
	Path string
	Data []byte
	// Problem, when set, says why the file was not read (it is a link or a named pipe,
	// say); Data is then empty, and Load reports the problem at Path.
	Problem string
}

// Document is one valid file, read into the domain.
type Document struct {
	Path string
	Kind string
	// Control is set for control documents: every user-supplied member, no identity.
	Control *probity.Control
	// Framework is set for framework documents; its control sets' Controls are empty
	// until references are resolved.
	Framework *probity.Framework
	// Refs holds, per control set, the controls it names.
	Refs [][]Ref

	// Digest identifies the file's content and kind (see fileDigest).
	Digest string

	known   bool   // read from the library's record instead of parsed
	data    []byte // a known document's file, parsed only to place a problem
	root    Pos
	namePos Pos            // where the name is, for duplicate-name reports
	locs    map[string]loc // where each member came from; kept only while placing problems
}

// Ref is a framework's reference to a control, by id or by name.
type Ref struct {
	ID, Name string
	Pos      Pos
	Field    string
}

// String returns the reference as the author wrote it.
func (r Ref) String() string {
	if r.ID != "" {
		return "id " + r.ID
	}
	return "\"" + r.Name + "\""
}

// Keys of each document kind. Controls take the controls-as-code key datasources or the
// API's controlMappingSources.
var (
	controlKeys   = []string{"kind", "name", "description", "testingInformation", "actionPlanTitle", "actionPlanInstructions", "tags", "datasources", "controlMappingSources"}
	sourceKeys    = []string{"sourceName", "sourceDescription", "sourceSetUpOption", "sourceType", "sourceKeyword", "sourceFrequency", "troubleshootingText"}
	keywordKeys   = []string{"keywordInputType", "keywordValue"}
	frameworkKeys = []string{"kind", "name", "description", "complianceType", "tags", "controlSets"}
	setKeys       = []string{"name", "controls"}
	refKeys       = []string{"id", "name"}
)

// IsCatalogFile reports whether a file name has an extension the catalog reads.
func IsCatalogFile(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// kindFromPath returns the kind implied by the nearest enclosing folder named controls or
// frameworks, in any case (Controls, FRAMEWORKS), or "".
func kindFromPath(p string) string {
	dirs := strings.Split(path.Dir(strings.ReplaceAll(p, "\\", "/")), "/")
	for i := len(dirs) - 1; i >= 0; i-- {
		switch {
		case strings.EqualFold(dirs[i], "controls"):
			return KindControl
		case strings.EqualFold(dirs[i], "frameworks"):
			return KindFramework
		}
	}
	return ""
}

// decodeFile reads one file into a document. It returns the problems instead when there
// are any; a document is never half-read. Either way it returns the file's outline: what
// it says about the other files, as far as that could be read.
func decodeFile(f File) (*Document, Diagnostics, outline) {
	root, err := parse(f.Data)
	if err != nil {
		se := err.(*syntaxError)
		d := &decoder{path: f.Path}
		d.errorf(se.pos, "", "%s", se.msg)
		return nil, d.diags, outline{}
	}
	// Most files are valid, and only problems need to know where each member came
	// from: record that on a second pass over a file that has any.
	doc, diags := decodeRoot(f.Path, root, false)
	if len(diags) > 0 {
		doc, diags = decodeRoot(f.Path, root, true)
		return nil, diags, doc.outline(diags)
	}
	return doc, nil, doc.outline(nil)
}

// outline is what a file says about the others: the name of the control it defines, or
// the controls its framework refers to. References across files are resolved against
// outlines, so that a file's own problems do not hide those of its references.
type outline struct {
	control string // "" when the file defines no control, or its name has a problem
	refs    []Ref  // the references that have no problem of their own
}

// outline returns the document's outline, leaving out the members diags concern. doc
// may be nil (a file that did not get as far as its kind).
func (doc *Document) outline(diags Diagnostics) outline {
	var o outline
	switch {
	case doc == nil:
	case doc.Control != nil:
		if doc.Control.Name != "" && !coveredBy("name", diags) {
			o.control = doc.Control.Name
		}
	case doc.Framework != nil:
		for _, set := range doc.Refs {
			for _, r := range set {
				if (r.ID != "" || r.Name != "") && !coveredBy(r.Field, diags) && !concerns(diags, r.Field) {
					o.refs = append(o.refs, r)
				}
			}
		}
	}
	return o
}

// decodeRoot reads a parsed file. With place, it records where every member came from,
// so that the domain's complaints can be placed in the file. With problems, the document
// it returns is half-read (or nil), good only for its outline.
func decodeRoot(path string, root *node, place bool) (*Document, Diagnostics) {
	d := &decoder{path: path}
	if place {
		d.locs = make(map[string]loc, 32)
	}
	doc := &Document{Path: path, root: root.pos, locs: d.locs}
	if root.kind != mappingNode {
		d.errorf(root.pos, "", "must be a mapping of keys to values, got %s", root.describe())
		return nil, d.diags
	}
	doc.namePos = root.pos
	if k, _ := root.get("name"); k != nil {
		doc.namePos = k.pos
	}

	doc.Kind = kindFromPath(path)
	if k, v := root.get("kind"); k != nil {
		switch {
		case v.kind == scalarNode && (v.text == KindControl || v.text == KindFramework):
			doc.Kind = v.text
		default:
			d.errorf(k.pos, "kind", "must be Control or Framework")
			return nil, d.diags
		}
	}
	switch doc.Kind {
	case KindControl:
		doc.Control = d.control(root)
	case KindFramework:
		doc.Framework, doc.Refs = d.framework(root)
	default:
		d.errorf(root.pos, "", "cannot tell whether this is a control or a framework: put it under a folder named controls or frameworks, or add kind: Control or kind: Framework")
		return nil, d.diags
	}
	// Report the domain's rules too, except on members already reported as unreadable:
	// every problem in one run, none twice.
	diags := d.diags
	for _, v := range doc.validate() {
		if !coveredBy(v.Field, d.diags) {
			diags = append(diags, v)
		}
	}
	return doc, diags
}

func (d *decoder) control(root *node) *probity.Control {
	m := d.fields(root, "", controlKeys)
	c := &probity.Control{Type: probity.ControlTypeCustom}
	d.str(m, "name", "", "name", &c.Name)
	d.str(m, "description", "", "description", &c.Description)
	d.str(m, "testingInformation", "", "testingInformation", &c.TestingInformation)
	d.str(m, "actionPlanTitle", "", "actionPlanTitle", &c.ActionPlanTitle)
	d.str(m, "actionPlanInstructions", "", "actionPlanInstructions", &c.ActionPlanInstructions)
	c.Tags = d.tags(m, "", "tags")

	key := "datasources"
	e, hasCode := m.get(key)
	if api, hasAPI := m.get("controlMappingSources"); hasAPI {
		if hasCode {
			d.errorf(api.key.pos, "controlMappingSources", "give datasources or controlMappingSources, not both")
		}
		key, e = "controlMappingSources", api
	}
	if e.key == nil || e.value.kind == nullNode {
		// A control that names no data source is attested by hand.
		c.ControlMappingSources = []probity.ControlMappingSource{probity.ManualAttestation()}
		return c
	}
	d.note("controlMappingSources", e.key.pos, key)
	for i, item := range d.list(e, key) {
		field, api := indexed(key, i), indexed("controlMappingSources", i)
		d.note(api, item.pos, field)
		// An unreadable item still takes its place, so later items keep their indexes.
		var s probity.ControlMappingSource
		var setUp, typ, freq string
		sm := d.fields(item, field, sourceKeys)
		d.str(sm, "sourceName", field, api+".sourceName", &s.SourceName)
		d.str(sm, "sourceDescription", field, api+".sourceDescription", &s.SourceDescription)
		d.str(sm, "sourceSetUpOption", field, api+".sourceSetUpOption", &setUp)
		d.str(sm, "sourceType", field, api+".sourceType", &typ)
		d.str(sm, "sourceFrequency", field, api+".sourceFrequency", &freq)
		d.str(sm, "troubleshootingText", field, api+".troubleshootingText", &s.TroubleshootingText)
		s.SourceSetUpOption, s.SourceType, s.SourceFrequency = probity.SetUpOption(setUp), probity.SourceType(typ), probity.SourceFrequency(freq)
		if kw, ok := sm.get("sourceKeyword"); ok && kw.value.kind != nullNode {
			kf := field + ".sourceKeyword"
			d.note(api+".sourceKeyword", kw.key.pos, kf)
			if km := d.fields(kw.value, kf, keywordKeys); km != nil {
				s.SourceKeyword = &probity.SourceKeyword{}
				var input string
				d.str(km, "keywordInputType", kf, api+".sourceKeyword.keywordInputType", &input)
				s.SourceKeyword.KeywordInputType = probity.KeywordInputType(input)
				d.str(km, "keywordValue", kf, api+".sourceKeyword.keywordValue", &s.SourceKeyword.KeywordValue)
			}
		}
		c.ControlMappingSources = append(c.ControlMappingSources, s)
	}
	return c
}

func (d *decoder) framework(root *node) (*probity.Framework, [][]Ref) {
	m := d.fields(root, "", frameworkKeys)
	f := &probity.Framework{Type: probity.FrameworkTypeCustom}
	d.str(m, "name", "", "name", &f.Name)
	d.str(m, "description", "", "description", &f.Description)
	d.str(m, "complianceType", "", "complianceType", &f.ComplianceType)
	f.Tags = d.tags(m, "", "tags")
	e, ok := m.get("controlSets")
	if !ok {
		return f, nil
	}
	d.note("controlSets", e.key.pos, "controlSets")
	var refs [][]Ref
	for i, item := range d.list(e, "controlSets") {
		field := indexed("controlSets", i)
		d.note(field, item.pos, field)
		sm := d.fields(item, field, setKeys)
		var cs probity.ControlSet
		var setRefs []Ref
		if sm != nil {
			d.str(sm, "name", field, field+".name", &cs.Name)
			if ce, ok := sm.get("controls"); ok {
				d.note(field+".controls", ce.key.pos, field+".controls")
				for k, cn := range d.list(ce, field+".controls") {
					setRefs = append(setRefs, d.ref(cn, indexed(field+".controls", k)))
				}
			}
		}
		f.ControlSets = append(f.ControlSets, cs)
		refs = append(refs, setRefs)
	}
	return f, refs
}

// ref reads one control reference: a name, or a mapping with id or name.
func (d *decoder) ref(n *node, field string) Ref {
	r := Ref{Pos: n.pos, Field: field}
	d.note(field+".id", n.pos, field)
	switch n.kind {
	case scalarNode:
		r.Name = n.text
		return r
	case mappingNode:
		m := d.fields(n, field, refKeys)
		d.str(m, "id", field, field+".id", &r.ID)
		d.str(m, "name", field, field+".name", &r.Name)
		switch {
		case r.ID != "" && r.Name != "":
			d.errorf(n.pos, field, "give id or name, not both")
		case r.ID == "" && r.Name == "" && m != nil:
			d.errorf(n.pos, field, "needs id or name")
		}
		return r
	}
	d.errorf(n.pos, field, "must be a control name or a mapping with id or name, got %s", n.describe())
	return r
}

// concerns reports whether a diagnostic is about a member within field.
func concerns(diags Diagnostics, field string) bool {
	for _, d := range diags {
		if strings.HasPrefix(d.Field, field+".") || strings.HasPrefix(d.Field, field+"[") {
			return true
		}
	}
	return false
}

// coveredBy reports whether a diagnostic already concerns field or a member around it.
func coveredBy(field string, diags Diagnostics) bool {
	for _, d := range diags {
		if d.Field == "" || field == d.Field || strings.HasPrefix(field, d.Field+".") || strings.HasPrefix(field, d.Field+"[") {
			return true
		}
	}
	return false
}

// validate runs the domain's rules and places each broken one in the file.
func (doc *Document) validate() Diagnostics {
	var err error
	if doc.Control != nil {
		err = doc.Control.Validate()
	} else {
		// Check the framework as the API would see it, with a stand-in id for each
		// reference by name; whether the references exist is resolved later.
		f := *doc.Framework
		f.ControlSets = make([]probity.ControlSet, len(doc.Framework.ControlSets))
		for i, cs := range doc.Framework.ControlSets {
			cs.Controls = nil
			if i < len(doc.Refs) {
				for _, r := range doc.Refs[i] {
					id := r.ID
					if id == "" {
						id = probity.DerivedID("name", r.Name)
					}
					cs.Controls = append(cs.Controls, id)
				}
			}
			f.ControlSets[i] = cs
		}
		err = f.Validate()
	}
	var out Diagnostics
	for _, fe := range probity.ErrorFields(err) {
		pos, field := doc.place(fe.Name)
		out = append(out, Diagnostic{Path: doc.Path, Pos: pos, Field: field, Reason: fe.Message})
	}
	return out
}

// place finds where an API member path came from. A member that is absent (a required
// one, say) is placed at the nearest enclosing member that is present.
func (doc *Document) place(api string) (Pos, string) {
	if l, ok := doc.locs[api]; ok {
		return l.pos, l.field
	}
	for parent := api; ; {
		i := strings.LastIndexAny(parent, ".[")
		if i < 0 {
			return doc.root, doc.rename(api)
		}
		parent = parent[:i]
		if l, ok := doc.locs[parent]; ok {
			return l.pos, l.field + api[i:]
		}
	}
}

// rename turns an API member path into the author's words for a member never written.
func (doc *Document) rename(api string) string {
	if l, ok := doc.locs["controlMappingSources"]; ok && strings.HasPrefix(api, "controlMappingSources") {
		return l.field + strings.TrimPrefix(api, "controlMappingSources")
	}
	if doc.Control != nil && api == "controlMappingSources" {
		return "datasources"
	}
	return api
}
