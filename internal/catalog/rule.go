package catalog

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/rules"
	"github.com/probity-dev/probity/internal/store"
)

// KindRule is the kind of a custom rule document (rules/*.yaml).
const KindRule = "Rule"

var (
	ruleKeys      = []string{"kind", "name", "description", "resourceTypes", "parameters", "applicable", "condition", "annotation"}
	ruleParamKeys = []string{"name", "type", "default", "required"}
)

// rule reads a custom rule document. The nodes of its expressions are kept in dc.exprs,
// so that a compile error can be placed within them.
func (d *decoder) rule(root *doc.Node, dc *Document) *probity.CustomRule {
	m := d.Fields(root, "", ruleKeys)
	r := &probity.CustomRule{}
	d.str(m, "name", "", "name", &r.Name)
	d.str(m, "description", "", "description", &r.Description)
	d.str(m, "annotation", "", "annotation", &r.Annotation)
	dc.exprs = map[string]*doc.Node{}
	for _, key := range []string{"applicable", "condition"} {
		dst := &r.Condition
		if key == "applicable" {
			dst = &r.Applicable
		}
		if e, ok := m.Get(key); ok {
			d.note(key, e.Key.Pos, key)
			if e.Value.Kind == doc.Scalar {
				dc.exprs[key] = e.Value
			}
			d.String(e, key, dst)
		}
	}
	if e, ok := m.Get("resourceTypes"); ok {
		d.note("resourceTypes", e.Key.Pos, "resourceTypes")
		for i, item := range d.List(e, "resourceTypes") {
			f := doc.Index("resourceTypes", i)
			d.note(f, item.Pos, f)
			if item.Kind != doc.Scalar {
				d.Errorf(item.Pos, f, "must be a resource type such as AWS::S3::Bucket, got %s", item.Describe())
				continue
			}
			r.ResourceTypes = append(r.ResourceTypes, item.Text)
		}
	}
	if e, ok := m.Get("parameters"); ok {
		d.note("parameters", e.Key.Pos, "parameters")
		for i, item := range d.List(e, "parameters") {
			f := doc.Index("parameters", i)
			d.note(f, item.Pos, f)
			var p probity.RuleParameter
			pm := d.Fields(item, f, ruleParamKeys)
			d.str(pm, "name", f, f+".name", &p.Name)
			d.str(pm, "type", f, f+".type", &p.Type)
			d.str(pm, "default", f, f+".default", &p.Default)
			if re, ok := pm.Get("required"); ok {
				d.note(f+".required", re.Key.Pos, f+".required")
				switch {
				case re.Value.Kind == doc.Scalar && re.Value.Text == "true":
					p.Required = true
				case re.Value.Kind == doc.Scalar && re.Value.Text == "false", re.Value.Kind == doc.Null:
				default:
					d.Errorf(re.Value.Pos, f+".required", "must be true or false")
				}
			}
			if p.Type == "" && pm != nil {
				p.Type = "string"
			}
			r.Parameters = append(r.Parameters, p)
		}
	}
	return r
}

// validateRule compiles the rule and places each problem in the file: a problem inside
// an expression at its line and column there, any other at its member.
func (dc *Document) validateRule() doc.Diagnostics {
	_, err := rules.Compile(dc.Rule)
	ce, ok := err.(*rules.CompileError)
	if !ok {
		return nil
	}
	var out doc.Diagnostics
	for _, p := range ce.Problems {
		if n := dc.exprs[p.Field]; n != nil && p.Line > 0 {
			out = append(out, doc.Diagnostic{Path: dc.Path, Pos: exprPos(dc.src, n, p.Line, p.Col), Field: p.Field, Reason: p.Message})
			continue
		}
		pos, field := dc.place(p.Field)
		out = append(out, doc.Diagnostic{Path: dc.Path, Pos: pos, Field: field, Reason: p.Message})
	}
	return out
}

// exprPos maps a line and column within the expression held by the scalar n to a
// position in the file data. A literal block (|) keeps its lines, so the mapping is
// exact; so is a one-line plain or quoted scalar without escapes before the column. A
// folded or multi-line flow scalar joins its lines with spaces: the column is followed
// across the file's lines as far as it goes.
func exprPos(data []byte, n *doc.Node, line, col int) doc.Pos {
	lines := strings.Split(string(data), "\n")
	at := func(l int) string {
		if l >= 1 && l <= len(lines) {
			return strings.TrimRight(lines[l-1], "\r")
		}
		return ""
	}
	start := at(n.Pos.Line)
	first := ""
	if i := byteIndex(start, n.Pos.Col-1); i < len(start) {
		first = start[i:]
	}
	switch {
	case strings.HasPrefix(first, "|"), strings.HasPrefix(first, ">"):
		// Content begins on the next line; its indentation is that of the first line
		// that is not blank.
		indent := 0
		for l := n.Pos.Line + 1; l <= len(lines); l++ {
			if t := strings.TrimLeft(at(l), " "); t != "" {
				indent = len(at(l)) - len(t)
				break
			}
		}
		if first[0] == '|' || line > 1 {
			return doc.Pos{Line: n.Pos.Line + line, Col: indent + col}
		}
		return follow(at, n.Pos.Line+1, indent+1, col, func(string) int { return indent + 1 })
	case line > 1:
		return doc.Pos{Line: n.Pos.Line + line - 1, Col: col}
	}
	c0 := n.Pos.Col
	if strings.HasPrefix(first, `"`) || strings.HasPrefix(first, "'") {
		c0++
	}
	return follow(at, n.Pos.Line, c0, col, func(s string) int { return len(s) - len(strings.TrimLeft(s, " \t")) + 1 })
}

// follow finds the col-th character of text that starts at (l, c0) and continues on the
// lines after it, where each continuation line's text starts at the column cont gives,
// joined by one space.
func follow(at func(int) string, l, c0, col int, cont func(string) int) doc.Pos {
	c := c0
	for rest := col - 1; ; l++ {
		s := at(l)
		width := utf8.RuneCountInString(s) - (c - 1)
		if rest <= width || at(l+1) == "" {
			return doc.Pos{Line: l, Col: c + rest}
		}
		rest -= width + 1 // the space the line break folds into
		if rest < 0 {
			return doc.Pos{Line: l, Col: c + width}
		}
		c = cont(at(l + 1))
	}
}

// byteIndex returns the byte offset of the rune at index runes in s (len(s) past the end).
func byteIndex(s string, runes int) int {
	for i := range s {
		if runes == 0 {
			return i
		}
		runes--
	}
	return len(s)
}

// customRefs returns the custom rules a control's AWS_Config sources name (Custom_<name>),
// placed at pos[i] for source i when pos has it.
func customRefs(c *probity.Control, field string, pos map[int]doc.Pos) []Ref {
	var out []Ref
	for i, s := range c.ControlMappingSources {
		if s.SourceType != probity.SourceTypeConfig || s.SourceKeyword == nil || !strings.HasPrefix(s.SourceKeyword.KeywordValue, probity.CustomRulePrefix) {
			continue
		}
		out = append(out, Ref{Name: strings.TrimPrefix(s.SourceKeyword.KeywordValue, probity.CustomRulePrefix),
			Pos: pos[i], Field: doc.Index(field, i) + ".sourceKeyword.keywordValue"})
	}
	return out
}

// resolveRule returns why a control's reference to a custom rule names none, or "": the
// rule must be declared in the files (declared) or be in the library and not deleted.
func resolveRule(r Ref, declared map[string]bool, lib map[string]*probity.CustomRule, deleted map[string]bool) string {
	if declared[r.Name] {
		return ""
	}
	if have := lib[r.Name]; have != nil {
		if deleted[have.ID] {
			return "custom rule " + r.Name + " is no longer defined in the files and would be deleted"
		}
		return ""
	}
	names := make([]string, 0, len(declared)+len(lib))
	for n := range declared {
		names = append(names, n)
	}
	for n, have := range lib {
		if !declared[n] && !deleted[have.ID] {
			names = append(names, n)
		}
	}
	msg := "no custom rule is named " + strconv.Quote(r.Name) + " (rules/*.yaml define them)"
	if near := doc.Closest(r.Name, names, 3); len(near) > 0 {
		for i, n := range near {
			near[i] = strconv.Quote(probity.CustomRulePrefix + n)
		}
		msg += "; closest: " + strings.Join(near, ", ")
	}
	return msg
}

// placeRuleRef returns r placed in the file f, for a reference read from the library's
// record of a file (which has no positions): the file is parsed after all.
func placeRuleRef(f doc.File, r Ref) Ref {
	if r.Pos != (doc.Pos{}) {
		return r
	}
	if parsed, _, _ := decodeFile(f); parsed != nil {
		for _, p := range parsed.RuleRefs {
			if p.Field == r.Field {
				return p
			}
		}
	}
	return r
}

// planRules plans the custom rules: matched to the account's by name, created, updated
// or (with Prune) deleted when the source manages them and the files no longer define
// them. It returns the names the files declare and the ids it deletes.
func (p *Plan) planRules(cat *Catalog, ix *libraryIndex, lib *store.Library, opt Options, now time.Time) (declared, deleted map[string]bool) {
	declared, deleted = map[string]bool{}, map[string]bool{}
	for _, dc := range cat.Rules {
		want := *dc.Rule
		want.ResourceTypes = slices.Clone(want.ResourceTypes)
		want.Parameters = slices.Clone(want.Parameters)
		declared[want.Name] = true
		if have := ix.rules[want.Name]; have != nil {
			want.ID, want.AccountID, want.ManagedBy = have.ID, have.AccountID, have.ManagedBy
			want.CreatedAt, want.CreatedBy = have.CreatedAt, have.CreatedBy
			want.LastUpdatedAt, want.LastUpdatedBy = have.LastUpdatedAt, have.LastUpdatedBy
			if diff := want.Diff(have); len(diff) > 0 {
				want.LastUpdatedAt, want.LastUpdatedBy = now, opt.Actor
				p.putRules = append(p.putRules, &want)
				p.Changes = append(p.Changes, Change{Action: Update, Kind: KindRule, Name: want.Name, ID: want.ID, Path: dc.Path, Members: diff})
			} else {
				p.Unchanged++
			}
			continue
		}
		want.ID, want.AccountID, want.ManagedBy = probity.NewID(), opt.Partition.AccountID, opt.Source
		want.CreatedAt, want.LastUpdatedAt = now, now
		want.CreatedBy, want.LastUpdatedBy = opt.Actor, opt.Actor
		p.putRules = append(p.putRules, &want)
		p.Changes = append(p.Changes, Change{Action: Create, Kind: KindRule, Name: want.Name, ID: want.ID, Path: dc.Path})
	}
	if opt.Prune {
		for i := range lib.Rules {
			r := &lib.Rules[i]
			if r.OwnedBy(opt.Source) && !declared[r.Name] {
				deleted[r.ID] = true
				p.deleteRules = append(p.deleteRules, r.ID)
				p.Changes = append(p.Changes, Change{Action: Delete, Kind: KindRule, Name: r.Name, ID: r.ID})
			}
		}
	}
	return declared, deleted
}

// checkRulesInUse refuses a plan that deletes a custom rule that a control of the
// library, which the plan keeps, still names; declared holds the files' controls by name,
// which were checked against the plan's rules already.
func checkRulesInUse(declared map[string]*probity.Control, lib *store.Library, deletedControls, deletedRules map[string]bool) error {
	if len(deletedRules) == 0 {
		return nil
	}
	gone := map[string]string{} // name -> id
	for _, r := range lib.Rules {
		if deletedRules[r.ID] {
			gone[r.Name] = r.ID
		}
	}
	var conflicts []string
	for i := range lib.Controls {
		c := &lib.Controls[i]
		if deletedControls[c.ID] || (c.Type == probity.ControlTypeCustom && declared[c.Name] != nil) {
			continue
		}
		for _, ref := range customRefs(c, "datasources", nil) {
			if _, ok := gone[ref.Name]; ok {
				conflicts = append(conflicts, fmt.Sprintf("custom rule %q is no longer in the files but control %q still uses it", ref.Name, c.Name))
			}
		}
	}
	if len(conflicts) == 0 {
		return nil
	}
	slices.Sort(conflicts)
	return &probity.Error{Code: probity.ECONFLICT, Message: "refusing to prune: " + strings.Join(slices.Compact(conflicts), "; ")}
}

// LoadRules is Load for the custom rules among files, those directly in a folder named
// rules (rules/*.yaml; the other files are not read): the rules of the valid files, each
// compiled, and every problem of the others.
func LoadRules(files []doc.File) ([]*probity.CustomRule, doc.Diagnostics) {
	var own []doc.File
	for _, f := range files {
		if strings.EqualFold(path.Base(path.Dir(strings.ReplaceAll(f.Path, "\\", "/"))), "rules") {
			own = append(own, f)
		}
	}
	cat, diags := Load(own)
	out := make([]*probity.CustomRule, len(cat.Rules))
	for i, dc := range cat.Rules {
		out[i] = dc.Rule
	}
	return out, diags
}
