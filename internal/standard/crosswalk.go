package standard

import (
	"cmp"
	"slices"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// Link says that a standard control of a framework collects evidence from a managed
// rule (an AWS_Config data source whose keyword is the rule identifier).
type Link struct {
	Rule      string
	Framework string // the framework's name; "" for a control no standard framework uses
	Control   string // the control's name
	ControlID string
}

// Crosswalk returns, for every managed rule that standard controls of lib use (or only
// for rule, when it is not empty), the controls that use it and the standard frameworks
// they are in, ordered by rule, framework and control. Controls of different frameworks
// that share a rule serve requirements that one piece of evidence answers.
func Crosswalk(lib *store.Library, rule string) []Link {
	in := map[string][]string{}
	for _, f := range lib.Frameworks {
		if f.Type != probity.FrameworkTypeStandard {
			continue
		}
		for _, cs := range f.ControlSets {
			for _, id := range cs.Controls {
				if !slices.Contains(in[id], f.Name) {
					in[id] = append(in[id], f.Name)
				}
			}
		}
	}
	var out []Link
	for _, c := range lib.Controls {
		if c.Type != probity.ControlTypeStandard {
			continue
		}
		for _, s := range c.ControlMappingSources {
			if s.SourceType != probity.SourceTypeConfig || s.SourceKeyword == nil {
				continue
			}
			r := s.SourceKeyword.KeywordValue
			if rule != "" && r != rule {
				continue
			}
			fws := in[c.ID]
			if len(fws) == 0 {
				fws = []string{""}
			}
			for _, f := range fws {
				out = append(out, Link{Rule: r, Framework: f, Control: c.Name, ControlID: c.ID})
			}
		}
	}
	slices.SortFunc(out, func(a, b Link) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Framework, b.Framework), cmp.Compare(a.Control, b.Control))
	})
	return slices.Compact(out)
}
