package probity

import (
	"slices"
	"time"
)

// Framework types.
const (
	FrameworkTypeStandard = "Standard"
	FrameworkTypeCustom   = "Custom"
)

// Framework groups controls into control sets for one compliance standard.
type Framework struct {
	ID             string            `json:"id"`
	ARN            string            `json:"arn"`
	Name           string            `json:"name"`
	Type           string            `json:"type"`
	ComplianceType string            `json:"complianceType,omitempty"`
	Description    string            `json:"description,omitempty"`
	Logo           string            `json:"logo,omitempty"`
	ControlSets    []ControlSet      `json:"controlSets"`
	Tags           map[string]string `json:"tags,omitempty"`
	CreatedAt      time.Time         `json:"createdAt"`
	CreatedBy      string            `json:"createdBy,omitempty"`
	LastUpdatedAt  time.Time         `json:"lastUpdatedAt"`
	LastUpdatedBy  string            `json:"lastUpdatedBy,omitempty"`

	// ManagedBy is as for Control.
	ManagedBy string `json:"-"`
}

// ControlSet is a named list of controls within a framework.
type ControlSet struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Controls []string `json:"controls"` // control ids, in order
}

// MaxControlsPerFramework bounds a framework's size across all its control sets.
const MaxControlsPerFramework = 3000

// Validate returns an EINVALID *Error listing every rule the framework's user-supplied
// members break, or nil. It does not check that the controls exist.
func (f *Framework) Validate() error {
	var ck checker
	ck.text("name", f.Name, true, 1, 300, noBackslash, "must not contain a backslash")
	ck.text("description", f.Description, false, 1, 1000, nil, "")
	ck.text("complianceType", f.ComplianceType, false, 0, 100, nil, "")
	ck.oneOf("type", f.Type, false, []string{FrameworkTypeStandard, FrameworkTypeCustom})
	if len(f.ControlSets) == 0 {
		ck.add("controlSets", "must have at least 1 item")
	}
	total := 0
	setNames := make(map[string]int, len(f.ControlSets))
	for i, cs := range f.ControlSets {
		name := index("controlSets", i)
		ck.text(name+".name", cs.Name, true, 1, 300, noBackslashOrLine, "must not contain a backslash or an underscore")
		if j, dup := setNames[cs.Name]; dup && cs.Name != "" {
			ck.add(name+".name", "duplicates controlSets[%d]; control set names must be unique within a framework", j)
		} else {
			setNames[cs.Name] = i
		}
		if len(cs.Controls) == 0 {
			ck.add(name+".controls", "must have at least 1 item")
		}
		total += len(cs.Controls)
		seen := make(map[string]int, len(cs.Controls))
		for k, id := range cs.Controls {
			cn := index(name+".controls", k) + ".id"
			if !IsUUID(id) {
				ck.add(cn, "must be a UUID such as 0123abcd-0123-4567-89ab-0123456789ab")
			} else if j, dup := seen[id]; dup {
				ck.add(cn, "duplicates controls[%d] of this control set", j)
			}
			seen[id] = k
		}
	}
	if total > MaxControlsPerFramework {
		ck.add("controlSets", "must hold at most %d controls in all, got %d", MaxControlsPerFramework, total)
	}
	ck.tags("tags", f.Tags)
	return ck.err("framework")
}

// Normalize fills the members the service derives: control set ids from the framework id.
func (f *Framework) Normalize() {
	if f.ID != "" {
		for i := range f.ControlSets {
			f.ControlSets[i].ID = ControlSetID(f.ID, f.ControlSets[i].Name)
		}
	}
	if len(f.Tags) == 0 {
		f.Tags = nil
	}
}

// Uses reports whether any control set of f lists the control id.
func (f *Framework) Uses(controlID string) bool {
	for _, cs := range f.ControlSets {
		if slices.Contains(cs.Controls, controlID) {
			return true
		}
	}
	return false
}

// Diff returns the names of the user-editable members that differ between f and o.
func (f *Framework) Diff(o *Framework) []string {
	var d []string
	add := func(name string, same bool) {
		if !same {
			d = append(d, name)
		}
	}
	add("name", f.Name == o.Name)
	add("description", f.Description == o.Description)
	add("complianceType", f.ComplianceType == o.ComplianceType)
	add("controlSets", slices.EqualFunc(f.ControlSets, o.ControlSets, func(a, b ControlSet) bool {
		return a.Name == b.Name && slices.Equal(a.Controls, b.Controls)
	}))
	add("tags", tagsEqual(f.Tags, o.Tags))
	return d
}
