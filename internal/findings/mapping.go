package findings

import (
	"strings"
)

// Rule is an explicit mapping of findings to controls (a mappings/*.yaml document): a
// finding that matches every member that is set (Provider and CheckID compared without
// regard to case, ResourceType equal to the type of any of its resources) maps to the
// controls that Controls names.
type Rule struct {
	Name         string
	Provider     string
	CheckID      string
	ResourceType string
	Controls     []string
}

// Matches reports whether the finding matches the rule.
func (r *Rule) Matches(f *Finding) bool {
	if r.Provider != "" && !strings.EqualFold(r.Provider, f.Provider) {
		return false
	}
	if r.CheckID != "" && !strings.EqualFold(r.CheckID, f.CheckID) {
		return false
	}
	if r.ResourceType == "" {
		return true
	}
	for _, res := range f.Resources {
		if res.Type == r.ResourceType {
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
