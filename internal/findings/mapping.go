package findings

import (
	"strconv"
	"strings"

	"github.com/probity-dev/probity"
)

// Rule is an explicit mapping of findings to controls, one rule of a finding mapping
// (mappings/*.yaml, see probity.MappingRule): a finding that matches every pattern that
// is set (Provider and CheckID its own, ResourceType the type of any of its resources,
// as probity.MatchPattern compares them) maps to the controls that Controls names.
type Rule struct {
	// Name says where the rule comes from, for the evidence's mappedBy attribute.
	Name         string
	Provider     string
	CheckID      string
	ResourceType string
	Controls     []string
}

// RulesOf returns the rules of a finding mapping, each named after the mapping and its
// place in it ("name rules[0]").
func RulesOf(m *probity.FindingMapping) []Rule {
	out := make([]Rule, len(m.Rules))
	for i, r := range m.Rules {
		out[i] = Rule{Name: m.Name + " rules[" + strconv.Itoa(i) + "]", Provider: r.Provider, CheckID: r.CheckID,
			ResourceType: r.ResourceType, Controls: r.Controls}
	}
	return out
}

// Matches reports whether the finding matches the rule.
func (r *Rule) Matches(f *Finding) bool {
	if r.Provider != "" && !probity.MatchPattern(r.Provider, f.Provider) {
		return false
	}
	if r.CheckID != "" && !probity.MatchPattern(r.CheckID, f.CheckID) {
		return false
	}
	if r.ResourceType == "" {
		return true
	}
	for _, res := range f.Resources {
		if probity.MatchPattern(r.ResourceType, res.Type) {
			return true
		}
	}
	return false
}

// RequirementMatches reports whether a requirement a finding carries names the control
// called name. The rule: compared without regard to case, the control's name is the
// requirement's id, or begins with it followed by a space ("AC-2(1)" names "AC-2(1)
// Account Management | ...", "1.20" names "1.20 Ensure that IAM Access analyzer is
// enabled"). The framework the scanner names is not compared: scanners and frameworks
// name standards differently ("CIS-3.0", "NIST.800-53.r5"); an assessment's controls all
// come from its one framework, and explicit rules map what the ids do not.
func RequirementMatches(id, name string) bool {
	if id == "" || len(name) < len(id) || !strings.EqualFold(name[:len(id)], id) {
		return false
	}
	return len(name) == len(id) || name[len(id)] == ' '
}

// firstWord returns the key under which RequirementMatches finds a control name: its
// first word, in lower case.
func firstWord(name string) string {
	if i := strings.IndexByte(name, ' '); i >= 0 {
		name = name[:i]
	}
	return strings.ToLower(name)
}
