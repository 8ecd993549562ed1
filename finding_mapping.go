package probity

import (
	"slices"
	"strings"
	"time"
)

// FindingMapping is a set of explicit rules, kept in a catalog (mappings/*.yaml), that
// map third-party findings to controls by what the finding is (its provider, check and
// resource type) rather than by the requirement ids it carries. Whether the controls it
// names exist is the catalog's to check; Validate checks the members' shape only.
type FindingMapping struct {
	ID        string
	AccountID string

	Name        string
	Description string
	Rules       []MappingRule

	ManagedBy     string
	CreatedAt     time.Time
	CreatedBy     string
	LastUpdatedAt time.Time
	LastUpdatedBy string
}

// MappingRule maps the findings that match all of its patterns that are set to the
// controls it names, by control name. A pattern is compared with a finding's value
// without regard to case; each * in it stands for any run of characters, none included,
// and every other character stands for itself (see MatchPattern). ResourceType matches
// when any of the finding's resources has a matching type.
type MappingRule struct {
	Provider     string   `json:"provider,omitempty"`
	CheckID      string   `json:"checkId,omitempty"`
	ResourceType string   `json:"resourceType,omitempty"`
	Controls     []string `json:"controls"`
}

// Limits of a FindingMapping.
const (
	MaxMappingRules    = 1000
	MaxMappingControls = 100
)

// Validate returns an EINVALID *Error listing every member whose shape is wrong, or nil:
// a name of letters, digits, - and _ (as custom rules are named), at least one rule and
// at most MaxMappingRules; each rule with at least one pattern that is not blank and
// from 1 to MaxMappingControls control names, none named twice. Member names are those
// of the mapping's file.
func (m *FindingMapping) Validate() error {
	var ck checker
	ck.text("name", m.Name, SingleLine, true, 1, 128, ruleNamePattern, "must be 1 to 128 letters, digits, - or _")
	ck.text("description", m.Description, FreeText, false, 0, 1000, nil, "")
	switch {
	case len(m.Rules) == 0:
		ck.add("rules", "must have at least 1 item")
	case len(m.Rules) > MaxMappingRules:
		ck.add("rules", "must have at most %d items, got %d", MaxMappingRules, len(m.Rules))
	}
	for i := range m.Rules {
		r := &m.Rules[i]
		name := index("rules", i)
		ck.text(name+".provider", r.Provider, SingleLine, false, 0, 256, nil, "")
		ck.text(name+".checkId", r.CheckID, SingleLine, false, 0, 256, nil, "")
		ck.text(name+".resourceType", r.ResourceType, SingleLine, false, 0, 256, nil, "")
		if IsBlank(r.Provider) && IsBlank(r.CheckID) && IsBlank(r.ResourceType) {
			ck.add(name, "needs at least one of provider, checkId or resourceType: a rule that matches every finding maps nothing in particular")
		}
		switch {
		case len(r.Controls) == 0:
			ck.add(name+".controls", "must have at least 1 item")
		case len(r.Controls) > MaxMappingControls:
			ck.add(name+".controls", "must have at most %d items, got %d", MaxMappingControls, len(r.Controls))
		}
		for k, c := range r.Controls {
			cn := index(name+".controls", k)
			ck.text(cn, c, SingleLine, true, 1, 300, nil, "")
			if slices.Index(r.Controls, c) < k {
				ck.add(cn, "%q is named twice in this rule", c)
			}
		}
	}
	return ck.err("finding mapping")
}

// Equal reports whether r and o have the same patterns and controls, in the same order.
func (r *MappingRule) Equal(o *MappingRule) bool {
	return r.Provider == o.Provider && r.CheckID == o.CheckID && r.ResourceType == o.ResourceType && slices.Equal(r.Controls, o.Controls)
}

// Diff returns the members whose content differs between m and o, in file order.
func (m *FindingMapping) Diff(o *FindingMapping) []string {
	var d []string
	if m.Name != o.Name {
		d = append(d, "name")
	}
	if m.Description != o.Description {
		d = append(d, "description")
	}
	if !slices.EqualFunc(m.Rules, o.Rules, func(a, b MappingRule) bool { return a.Equal(&b) }) {
		d = append(d, "rules")
	}
	return d
}

// OwnedBy reports whether source manages the mapping (see Control.OwnedBy).
func (m *FindingMapping) OwnedBy(source string) bool { return m.ManagedBy == source }

// MatchPattern reports whether s matches the pattern of a MappingRule: compared without
// regard to case, each * stands for any run of characters (none included) and every
// other character for itself. An empty pattern matches only an empty s.
func MatchPattern(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return strings.EqualFold(pattern, s)
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first) || !strings.EqualFold(s[:len(first)], first) {
		return false
	}
	s = s[len(first):]
	for _, p := range parts[1 : len(parts)-1] {
		i := indexFold(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.EqualFold(s[len(s)-len(last):], last)
}

// indexFold returns the byte index of the first instance of sub in s, compared without
// regard to case, or -1.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
