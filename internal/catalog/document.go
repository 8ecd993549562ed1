package catalog

import (
	"errors"
	"path"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
)

// Kinds of document.
const (
	KindControl   = "Control"
	KindFramework = "Framework"
)

// Document is one valid file, read into the domain.
type Document struct {
	Path string
	Kind string
	// Control is set for control documents: every user-supplied member, no identity.
	// A stand-in (see stubID) has one only when its data sources may name custom rules,
	// and then holds only its type, name and data sources; Name gives every document's.
	Control *probity.Control
	// Framework is set for framework documents; its control sets' Controls are empty
	// until references are resolved.
	Framework *probity.Framework
	// Refs holds, per control set, the controls it names.
	Refs [][]Ref
	// Rule is set for custom rule documents (rules/*.yaml); it compiles.
	Rule *probity.CustomRule
	// RuleRefs holds the custom rules a control's AWS_Config sources name
	// (Custom_<name>), by name.
	RuleRefs []Ref
	// Mapping is set for finding mapping documents (mappings/*.yaml).
	Mapping *probity.FindingMapping
	// MappingRefs holds the controls a mapping's rules name, by name.
	MappingRefs []Ref

	// Digest identifies the file's content and kind (see fileDigest).
	Digest string

	known bool // read from the library's record instead of parsed
	// stubID is set on a known document read from an outline library: the id of the
	// control it stands for, whose content digest was stubContent, named stubName. It
	// has a Control only for data sources that may name custom rules: serve's parse
	// cache holds a stand-in for every unchanged control file of a large catalog.
	stubID, stubContent, stubName string
	data                          []byte        // a known document's file, parsed only to place a problem
	reread                        func() []byte // reads data again when it was dropped; nil when the file changed
	from                          *Cache        // the cache that holds the document, through which data is read again
	root                          doc.Pos
	namePos                       doc.Pos              // where the name is, for duplicate-name reports
	locs                          map[string]loc       // where each member came from; kept only while placing problems
	src                           []byte               // the file, to place problems within a rule's expressions
	exprs                         map[string]*doc.Node // a rule's expressions, by member
	unread                        map[string]bool      // a mapping's rules (and their controls) with a member that could not be read
}

// Ref is a framework's reference to a control, by id or by name.
type Ref struct {
	ID, Name string
	Pos      doc.Pos
	Field    string
}

// problem returns the diagnostic at the reference in the file at path.
func (r Ref) problem(path, reason string) doc.Diagnostic {
	return doc.Diagnostic{Path: path, Pos: r.Pos, Field: r.Field, Reason: reason}
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
	controlKeys   = []string{"kind", "name", "description", "testingInformation", "actionPlanTitle", "actionPlanInstructions", "domain", "tags", "datasources", "controlMappingSources"}
	sourceKeys    = []string{"sourceName", "sourceDescription", "sourceSetUpOption", "sourceType", "sourceKeyword", "sourceFrequency", "troubleshootingText"}
	keywordKeys   = []string{"keywordInputType", "keywordValue"}
	frameworkKeys = []string{"kind", "name", "description", "complianceType", "tags", "controlSets"}
	setKeys       = []string{"name", "controls"}
	refKeys       = []string{"id", "name"}
)

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
		case strings.EqualFold(dirs[i], "rules"):
			return KindRule
		case strings.EqualFold(dirs[i], "mappings"):
			return KindMapping
		}
	}
	return ""
}

// decodeFile reads one file into a document. It returns the problems instead when there
// are any; a document is never half-read. Either way it returns the file's outline: what
// it says about the other files, as far as that could be read.
func decodeFile(f doc.File) (*Document, doc.Diagnostics, outline) {
	root, err := doc.Parse(f.Data)
	if err != nil {
		se := err.(*doc.SyntaxError)
		reason := se.Reason
		if errors.Is(se, doc.ErrManyDocuments) {
			reason += "; put one control or framework in each file"
		}
		d := &decoder{Decoder: doc.Decoder{Path: f.Path}}
		d.Errorf(se.Pos, "", "%s", reason)
		return nil, d.Diags, outline{}
	}
	// Most files are valid, and only problems need to know where each member came
	// from: record that on a second pass over a file that has any.
	dc, diags := decodeRoot(f.Path, f.Data, root, false)
	if len(diags) > 0 {
		dc, diags = decodeRoot(f.Path, f.Data, root, true)
		return nil, diags, dc.outline(diags)
	}
	return dc, nil, dc.outline(nil)
}

// outline is what a file says about the others: the name of the control it defines, or
// the controls its framework refers to. References across files are resolved against
// outlines, so that a file's own problems do not hide those of its references.
type outline struct {
	control  string // "" when the file defines no control, or its name has a problem
	refs     []Ref  // the references that have no problem of their own
	rule     string // "" when the file defines no rule, or its name has a problem
	ruleRefs []Ref  // a control's references to custom rules that have no problem of their own
	// controlNames are a mapping's references to controls that have no problem of their own.
	controlNames []Ref
}

// outline returns the document's outline, leaving out the members diags concern. dc
// may be nil (a file that did not get as far as its kind).
func (dc *Document) outline(diags doc.Diagnostics) outline {
	var o outline
	switch {
	case dc == nil:
	case dc.Control != nil:
		if dc.Control.Name != "" && !coveredBy("name", diags) {
			o.control = dc.Control.Name
		}
		for _, r := range dc.RuleRefs {
			if !coveredBy(r.Field, diags) {
				o.ruleRefs = append(o.ruleRefs, r)
			}
		}
	case dc.Rule != nil:
		if dc.Rule.Name != "" && !coveredBy("name", diags) {
			o.rule = dc.Rule.Name
		}
	case dc.Mapping != nil:
		for _, r := range dc.MappingRefs {
			if !coveredBy(r.Field, diags) {
				o.controlNames = append(o.controlNames, r)
			}
		}
	case dc.Framework != nil:
		for _, set := range dc.Refs {
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
func decodeRoot(path string, data []byte, root *doc.Node, place bool) (*Document, doc.Diagnostics) {
	d := &decoder{Decoder: doc.Decoder{Path: path}}
	if place {
		d.locs = make(map[string]loc, 32)
	}
	dc := &Document{Path: path, root: root.Pos, locs: d.locs}
	if root.Kind != doc.Mapping {
		d.Errorf(root.Pos, "", "must be a mapping of keys to values, got %s", root.Describe())
		return nil, d.Diags
	}
	dc.namePos = root.Pos
	if k, _ := root.Get("name"); k != nil {
		dc.namePos = k.Pos
	}

	dc.Kind = kindFromPath(path)
	if k, v := root.Get("kind"); k != nil {
		switch {
		case v.Kind == doc.Scalar && (v.Text == KindControl || v.Text == KindFramework || v.Text == KindRule || v.Text == KindMapping):
			dc.Kind = v.Text
		default:
			d.Errorf(k.Pos, "kind", "must be Control, Framework, Rule or Mapping")
			return nil, d.Diags
		}
	}
	switch dc.Kind {
	case KindControl:
		var field string
		var pos map[int]doc.Pos
		dc.Control, field, pos = d.control(root)
		dc.RuleRefs = customRefs(dc.Control, field, pos)
	case KindFramework:
		dc.Framework, dc.Refs = d.framework(root)
	case KindRule:
		// Only a rule's document keeps its file, to place problems inside expressions:
		// a large catalog's bytes are not held by its controls and frameworks.
		dc.src = data
		dc.Rule = d.rule(root, dc)
	case KindMapping:
		dc.Mapping, dc.MappingRefs = d.mapping(root, dc)
	default:
		d.Errorf(root.Pos, "", "cannot tell whether this is a control, a framework, a rule or a mapping: put it under a folder named controls, frameworks, rules or mappings, or add kind: Control, kind: Framework, kind: Rule or kind: Mapping")
		return nil, d.Diags
	}
	// Report the domain's rules too, except on members already reported as unreadable:
	// every problem in one run, none twice.
	diags := d.Diags
	for _, v := range dc.validate() {
		if !coveredBy(v.Field, d.Diags) {
			diags = append(diags, v)
		}
	}
	return dc, diags
}

// control reads a control. It also returns the member its sources were read from and
// where each source's keyword value is.
func (d *decoder) control(root *doc.Node) (*probity.Control, string, map[int]doc.Pos) {
	m := d.Fields(root, "", controlKeys)
	c := &probity.Control{Type: probity.ControlTypeCustom}
	d.str(m, "name", "", "name", &c.Name)
	d.str(m, "description", "", "description", &c.Description)
	d.str(m, "testingInformation", "", "testingInformation", &c.TestingInformation)
	d.str(m, "actionPlanTitle", "", "actionPlanTitle", &c.ActionPlanTitle)
	d.str(m, "actionPlanInstructions", "", "actionPlanInstructions", &c.ActionPlanInstructions)
	d.str(m, "domain", "", "domain", &c.Domain)
	c.Tags = d.tags(m, "", "tags")

	key := "datasources"
	e, hasCode := m.Get(key)
	if api, hasAPI := m.Get("controlMappingSources"); hasAPI {
		if hasCode {
			d.Errorf(api.Key.Pos, "controlMappingSources", "give datasources or controlMappingSources, not both")
		}
		key, e = "controlMappingSources", api
	}
	if e.Key == nil || e.Value.Kind == doc.Null {
		// A control that names no data source is attested by hand.
		c.ControlMappingSources = []probity.ControlMappingSource{probity.ManualAttestation()}
		return c, key, nil
	}
	var kwPos map[int]doc.Pos
	d.note("controlMappingSources", e.Key.Pos, key)
	items := d.List(e, key)
	if len(items) > 0 {
		c.ControlMappingSources = make([]probity.ControlMappingSource, 0, len(items))
	}
	for i, item := range items {
		field, api := doc.Index(key, i), doc.Index("controlMappingSources", i)
		d.note(api, item.Pos, field)
		// An unreadable item still takes its place, so later items keep their indexes.
		var s probity.ControlMappingSource
		var setUp, typ, freq string
		sm := d.Fields(item, field, sourceKeys)
		d.str(sm, "sourceName", field, api+".sourceName", &s.SourceName)
		d.str(sm, "sourceDescription", field, api+".sourceDescription", &s.SourceDescription)
		d.str(sm, "sourceSetUpOption", field, api+".sourceSetUpOption", &setUp)
		d.str(sm, "sourceType", field, api+".sourceType", &typ)
		d.str(sm, "sourceFrequency", field, api+".sourceFrequency", &freq)
		d.str(sm, "troubleshootingText", field, api+".troubleshootingText", &s.TroubleshootingText)
		s.SourceSetUpOption, s.SourceType, s.SourceFrequency = probity.SetUpOption(setUp), probity.SourceType(typ), probity.SourceFrequency(freq)
		if kw, ok := sm.Get("sourceKeyword"); ok && kw.Value.Kind != doc.Null {
			kf := field + ".sourceKeyword"
			d.note(api+".sourceKeyword", kw.Key.Pos, kf)
			if km := d.Fields(kw.Value, kf, keywordKeys); km != nil {
				s.SourceKeyword = &probity.SourceKeyword{}
				var input string
				d.str(km, "keywordInputType", kf, api+".sourceKeyword.keywordInputType", &input)
				s.SourceKeyword.KeywordInputType = probity.KeywordInputType(input)
				d.str(km, "keywordValue", kf, api+".sourceKeyword.keywordValue", &s.SourceKeyword.KeywordValue)
				if kv, ok := km.Get("keywordValue"); ok && strings.HasPrefix(s.SourceKeyword.KeywordValue, probity.CustomRulePrefix) {
					if kwPos == nil {
						kwPos = map[int]doc.Pos{}
					}
					kwPos[i] = kv.Value.Pos
				}
			}
		}
		c.ControlMappingSources = append(c.ControlMappingSources, s)
	}
	return c, key, kwPos
}

func (d *decoder) framework(root *doc.Node) (*probity.Framework, [][]Ref) {
	m := d.Fields(root, "", frameworkKeys)
	f := &probity.Framework{Type: probity.FrameworkTypeCustom}
	d.str(m, "name", "", "name", &f.Name)
	d.str(m, "description", "", "description", &f.Description)
	d.str(m, "complianceType", "", "complianceType", &f.ComplianceType)
	f.Tags = d.tags(m, "", "tags")
	e, ok := m.Get("controlSets")
	if !ok {
		return f, nil
	}
	d.note("controlSets", e.Key.Pos, "controlSets")
	var refs [][]Ref
	for i, item := range d.List(e, "controlSets") {
		field := doc.Index("controlSets", i)
		d.note(field, item.Pos, field)
		sm := d.Fields(item, field, setKeys)
		var cs probity.ControlSet
		var setRefs []Ref
		if sm != nil {
			d.str(sm, "name", field, field+".name", &cs.Name)
			if ce, ok := sm.Get("controls"); ok {
				d.note(field+".controls", ce.Key.Pos, field+".controls")
				for k, cn := range d.List(ce, field+".controls") {
					setRefs = append(setRefs, d.ref(cn, doc.Index(field+".controls", k)))
				}
			}
		}
		f.ControlSets = append(f.ControlSets, cs)
		refs = append(refs, setRefs)
	}
	return f, refs
}

// ref reads one control reference: a name, or a mapping with id or name.
func (d *decoder) ref(n *doc.Node, field string) Ref {
	r := Ref{Pos: n.Pos, Field: field}
	d.note(field+".id", n.Pos, field)
	switch n.Kind {
	case doc.Scalar:
		r.Name = n.Text
		return r
	case doc.Mapping:
		m := d.Fields(n, field, refKeys)
		d.str(m, "id", field, field+".id", &r.ID)
		d.str(m, "name", field, field+".name", &r.Name)
		switch {
		case r.ID != "" && r.Name != "":
			d.Errorf(n.Pos, field, "give id or name, not both")
		case r.ID == "" && r.Name == "" && m != nil:
			d.Errorf(n.Pos, field, "needs id or name")
		}
		return r
	}
	d.Errorf(n.Pos, field, "must be a control name or a mapping with id or name, got %s", n.Describe())
	return r
}

// concerns reports whether a diagnostic is about a member within field.
func concerns(diags doc.Diagnostics, field string) bool {
	for _, d := range diags {
		if strings.HasPrefix(d.Field, field+".") || strings.HasPrefix(d.Field, field+"[") {
			return true
		}
	}
	return false
}

// coveredBy reports whether a diagnostic already concerns field or a member around it.
func coveredBy(field string, diags doc.Diagnostics) bool {
	for _, d := range diags {
		if d.Field == "" || field == d.Field || strings.HasPrefix(field, d.Field+".") || strings.HasPrefix(field, d.Field+"[") {
			return true
		}
	}
	return false
}

// validate runs the domain's rules and places each broken one in the file.
func (dc *Document) validate() doc.Diagnostics {
	var err error
	switch {
	case dc.Rule != nil:
		return dc.validateRule()
	case dc.Mapping != nil:
		return dc.validateMapping()
	case dc.Control != nil:
		err = dc.Control.Validate()
	default:
		// Check the framework as the API would see it, with a stand-in id for each
		// reference by name; whether the references exist is resolved later.
		f := *dc.Framework
		f.ControlSets = make([]probity.ControlSet, len(dc.Framework.ControlSets))
		for i, cs := range dc.Framework.ControlSets {
			cs.Controls = nil
			if i < len(dc.Refs) {
				for _, r := range dc.Refs[i] {
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
	var out doc.Diagnostics
	for _, fe := range probity.ErrorFields(err) {
		pos, field := dc.place(fe.Name)
		out = append(out, doc.Diagnostic{Path: dc.Path, Pos: pos, Field: field, Reason: fe.Message})
	}
	return out
}

// place finds where an API member path came from. A member that is absent (a required
// one, say) is placed at the nearest enclosing member that is present.
func (dc *Document) place(api string) (doc.Pos, string) {
	if l, ok := dc.locs[api]; ok {
		return l.pos, l.field
	}
	for parent := api; ; {
		i := strings.LastIndexAny(parent, ".[")
		if i < 0 {
			return dc.root, dc.rename(api)
		}
		parent = parent[:i]
		if l, ok := dc.locs[parent]; ok {
			return l.pos, l.field + api[i:]
		}
	}
}

// rename turns an API member path into the author's words for a member never written.
func (dc *Document) rename(api string) string {
	if l, ok := dc.locs["controlMappingSources"]; ok && strings.HasPrefix(api, "controlMappingSources") {
		return l.field + strings.TrimPrefix(api, "controlMappingSources")
	}
	if dc.Control != nil && api == "controlMappingSources" {
		return "datasources"
	}
	return api
}
