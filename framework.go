package probity

import (
	"slices"
	"strconv"
	"time"
)

// FrameworkType says who maintains a framework.
type FrameworkType string

// Framework types.
const (
	FrameworkTypeStandard FrameworkType = "Standard"
	FrameworkTypeCustom   FrameworkType = "Custom"
)

// Shared reports whether frameworks of the type are seen by every account (standard
// ones), rather than held in one account's library (custom ones).
func (t FrameworkType) Shared() bool { return t != FrameworkTypeCustom }

// FrameworkTypes lists the framework types in the service's order.
var FrameworkTypes = []FrameworkType{FrameworkTypeStandard, FrameworkTypeCustom}

// Framework groups controls into control sets for one compliance standard.
type Framework struct {
	ID             string
	ARN            string
	Name           string
	Type           FrameworkType
	ComplianceType string
	Description    string
	Logo           string
	ControlSets    []ControlSet
	Tags           map[string]string
	CreatedAt      time.Time
	CreatedBy      string
	LastUpdatedAt  time.Time
	LastUpdatedBy  string

	// AccountID is as for Control.
	AccountID string
	// ManagedBy is as for Control.
	ManagedBy string
}

// ControlSet is a named list of controls within a framework.
type ControlSet struct {
	ID       string
	Name     string
	Controls []string // control ids, in order
}

// MaxControlsPerFramework bounds a framework's size across all its control sets.
const MaxControlsPerFramework = 3000

// Validate returns an EINVALID *Error listing every rule the framework's user-supplied
// members break, or nil. It does not check that the controls exist.
func (f *Framework) Validate() error {
	var ck checker
	ck.text("name", f.Name, SingleLine, true, 1, 300, noBackslash, "must not contain a backslash")
	ck.text("description", f.Description, FreeText, false, 1, 1000, nil, "")
	ck.text("complianceType", f.ComplianceType, SingleLine, false, 0, 100, nil, "")
	oneOf(&ck, "type", f.Type, false, FrameworkTypes)
	if len(f.ControlSets) == 0 {
		ck.add("controlSets", "must have at least 1 item")
	}
	total := 0
	setNames := make(map[string]int, len(f.ControlSets))
	for i, cs := range f.ControlSets {
		name := index("controlSets", i)
		ck.text(name+".name", cs.Name, SingleLine, true, 1, 300, noBackslashOrLine, "must not contain a backslash or an underscore")
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

// Normalize fills the members the service derives: the id of each control set that has
// none, ControlSetID of the framework id and the set name (or a variant of it when
// another set already holds that id).
func (f *Framework) Normalize() {
	used := make(map[string]bool, len(f.ControlSets))
	for _, cs := range f.ControlSets {
		used[cs.ID] = true
	}
	for i := range f.ControlSets {
		cs := &f.ControlSets[i]
		if f.ID != "" && cs.ID == "" {
			cs.ID = ControlSetID(f.ID, cs.Name)
			for n := 2; used[cs.ID]; n++ {
				cs.ID = DerivedID("controlset", f.ID, cs.Name, strconv.Itoa(n))
			}
			used[cs.ID] = true
		}
	}
	if len(f.Tags) == 0 {
		f.Tags = nil
	}
}

// KeepControlSetIDs gives f's control sets the ids they had in prev, the stored version
// of the framework, as Control.KeepSourceIDs does for data sources: a set that carries an
// id keeps it even when renamed, a set without one takes the id of prev's set of the
// same name unless another set claimed it, and the rest get new ids from Normalize. It
// returns an EINVALID *Error for each sent id that prev's sets do not hold or that two
// sets carry, and changes nothing then.
func (f *Framework) KeepControlSetIDs(prev *Framework) error {
	ids, err := keepIDs("framework", "controlSets", "id", "control set of this framework", "control set",
		setIDNames(prev.ControlSets), setIDNames(f.ControlSets))
	if err != nil {
		return err
	}
	for i := range f.ControlSets {
		f.ControlSets[i].ID = ids[i]
	}
	return nil
}

func setIDNames(sets []ControlSet) []idName {
	out := make([]idName, len(sets))
	for i, cs := range sets {
		out[i] = idName{cs.ID, cs.Name}
	}
	return out
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

// OwnedBy is Control.OwnedBy for frameworks.
func (f *Framework) OwnedBy(source string) bool {
	return f.Type == FrameworkTypeCustom && f.ManagedBy == source
}

// CheckOwner is Control.CheckOwner for frameworks.
func (f *Framework) CheckOwner(source string) error {
	return checkOwner("framework", f.ID, string(f.Type), string(FrameworkTypeCustom), f.ManagedBy, source)
}
