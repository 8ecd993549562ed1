package probity

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// ControlType says who maintains a control.
type ControlType string

// Control types.
const (
	ControlTypeStandard ControlType = "Standard" // shipped with the service; read-only
	ControlTypeCustom   ControlType = "Custom"   // written by users
	ControlTypeCore     ControlType = "Core"     // managed groupings of common controls
)

// Shared reports whether controls of the type are seen by every account (standard and
// core content), rather than held in one account's library (custom ones).
func (t ControlType) Shared() bool { return t != ControlTypeCustom }

// ControlState says whether a control is still maintained.
type ControlState string

// Control states.
const (
	ControlStateActive       ControlState = "ACTIVE"
	ControlStateEndOfSupport ControlState = "END_OF_SUPPORT"
)

// Control is a rule of a framework and where its evidence comes from. Member names follow
// the AWS Audit Manager data model.
type Control struct {
	ID                     string
	ARN                    string
	Type                   ControlType
	Name                   string
	Description            string
	TestingInformation     string
	ActionPlanTitle        string
	ActionPlanInstructions string
	ControlSources         string
	ControlMappingSources  []ControlMappingSource
	// Domain is the control domain that insights group the control under: the family
	// of standard content (NIST SP 800-53's AC, AU, ...), or what a custom control's
	// file names (a Probity extension). Empty means DomainUncategorized.
	Domain        string
	Tags          map[string]string
	State         ControlState
	CreatedAt     time.Time
	CreatedBy     string
	LastUpdatedAt time.Time
	LastUpdatedBy string

	// AccountID is the account whose library holds the control; empty for standard
	// content, which every account sees.
	AccountID string
	// ManagedBy names the catalog source (files, a bucket, a repository) that declared the
	// control, or is empty when it was made another way. Only that source may delete it.
	ManagedBy string
	// SourceDigest is the catalog's record of the file this control was last written
	// from; it is opaque outside the catalog, which checks it against the control's
	// content before trusting it.
	SourceDigest string
}

// ControlTypes lists the control types in the service's order.
var ControlTypes = []ControlType{ControlTypeStandard, ControlTypeCustom, ControlTypeCore}

// Validate returns an EINVALID *Error listing every rule the control's user-supplied
// members break, or nil.
func (c *Control) Validate() error {
	var ck checker
	c.check(&ck)
	return ck.err("control")
}

func (c *Control) check(ck *checker) {
	ck.text("name", c.Name, SingleLine, true, 1, 300, noBackslash, "must not contain a backslash")
	ck.text("description", c.Description, FreeText, false, 0, 1000, nil, "")
	ck.text("testingInformation", c.TestingInformation, FreeText, false, 0, 1000, nil, "")
	ck.text("actionPlanTitle", c.ActionPlanTitle, SingleLine, false, 0, 300, nil, "")
	ck.text("actionPlanInstructions", c.ActionPlanInstructions, FreeText, false, 0, 1000, nil, "")
	ck.text("domain", c.Domain, SingleLine, false, 0, MaxDomainLength, nil, "")
	oneOf(ck, "type", c.Type, false, ControlTypes)
	oneOf(ck, "state", c.State, false, []ControlState{ControlStateActive, ControlStateEndOfSupport})
	if len(c.ControlMappingSources) == 0 {
		ck.add("controlMappingSources", "must have at least 1 item")
	}
	if len(c.ControlMappingSources) > MaxMappingSources {
		ck.add("controlMappingSources", "must have at most %d items, got %d", MaxMappingSources, len(c.ControlMappingSources))
	}
	seen := make(map[string]int, len(c.ControlMappingSources))
	for i := range c.ControlMappingSources {
		s := &c.ControlMappingSources[i]
		name := index("controlMappingSources", i)
		s.check(ck, name)
		if s.SourceName == "" {
			continue
		}
		if j, dup := seen[s.SourceName]; dup {
			ck.add(name+".sourceName", "is also the name of source [%d]; source names must be unique within a control", j)
			continue
		}
		seen[s.SourceName] = i
	}
	ck.tags("tags", c.Tags)
}

// DomainUncategorized names the domain of a control that has none.
const DomainUncategorized = "Uncategorized"

// MaxDomainLength bounds a control domain's name.
const MaxDomainLength = 100

// DomainName returns the name of the control's domain: Domain, or DomainUncategorized.
func (c *Control) DomainName() string {
	if c.Domain == "" {
		return DomainUncategorized
	}
	return c.Domain
}

// MaxMappingSources is Probity's bound on the data sources of one control.
const MaxMappingSources = 100

// Normalize fills the members the service derives: the set-up option of each source
// from its type, the id of each source that has none (MappingSourceID of the control id
// and the source name, or a variant of it when another source of the control already
// holds that id), the controlSources summary, and the state. Call it after the id is
// known.
func (c *Control) Normalize() {
	if c.State == "" {
		c.State = ControlStateActive
	}
	used := make(map[string]bool, len(c.ControlMappingSources))
	for _, s := range c.ControlMappingSources {
		used[s.SourceID] = true
	}
	for i := range c.ControlMappingSources {
		s := &c.ControlMappingSources[i]
		if s.SourceSetUpOption == "" {
			s.SourceSetUpOption = SetUpOptionFor(s.SourceType)
		}
		if c.ID != "" && s.SourceID == "" {
			s.SourceID = MappingSourceID(c.ID, s.SourceName)
			for n := 2; used[s.SourceID]; n++ {
				s.SourceID = DerivedID("source", c.ID, s.SourceName, strconv.Itoa(n))
			}
			used[s.SourceID] = true
		}
	}
	c.ControlSources = c.summarizeSources()
	if len(c.Tags) == 0 {
		c.Tags = nil
	}
}

// KeepSourceIDs gives c's data sources the ids they had in prev, the stored version of
// the control, so that an update keeps the identity of every source it keeps: a source
// that carries a sourceId keeps it even when renamed, and a source without one takes the
// id of prev's source of the same name, unless another source claimed it. Sources left
// without an id get a new one from Normalize. It returns an EINVALID *Error for each
// sent id that prev's sources do not hold or that two sources carry, and changes
// nothing then.
func (c *Control) KeepSourceIDs(prev *Control) error {
	ids, err := keepIDs("control", "controlMappingSources", "sourceId", "data source of this control", "source",
		sourceIDNames(prev.ControlMappingSources), sourceIDNames(c.ControlMappingSources))
	if err != nil {
		return err
	}
	for i := range c.ControlMappingSources {
		c.ControlMappingSources[i].SourceID = ids[i]
	}
	return nil
}

func sourceIDNames(ss []ControlMappingSource) []idName {
	out := make([]idName, len(ss))
	for i, s := range ss {
		out[i] = idName{s.SourceID, s.SourceName}
	}
	return out
}

// summarizeSources lists the distinct source types in first-seen order, as the service's
// controlSources member does.
func (c *Control) summarizeSources() string {
	var types []string
	for _, s := range c.ControlMappingSources {
		if t := string(s.SourceType); t != "" && !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	return strings.Join(types, ", ")
}

// Diff returns the names of the user-editable members that differ between c and o.
func (c *Control) Diff(o *Control) []string {
	var d []string
	add := func(name string, same bool) {
		if !same {
			d = append(d, name)
		}
	}
	add("name", c.Name == o.Name)
	add("description", c.Description == o.Description)
	add("testingInformation", c.TestingInformation == o.TestingInformation)
	add("actionPlanTitle", c.ActionPlanTitle == o.ActionPlanTitle)
	add("actionPlanInstructions", c.ActionPlanInstructions == o.ActionPlanInstructions)
	add("domain", c.Domain == o.Domain)
	add("controlMappingSources", slices.EqualFunc(c.ControlMappingSources, o.ControlMappingSources, ControlMappingSource.contentEqual))
	add("tags", tagsEqual(c.Tags, o.Tags))
	return d
}

func tagsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v != w {
			return false
		}
	}
	return true
}

// OwnedBy reports whether source may change or delete the control: only a custom control,
// and only the owner that manages it. The API is the owner "" of what no catalog source
// manages.
func (c *Control) OwnedBy(source string) bool {
	return c.Type == ControlTypeCustom && c.ManagedBy == source
}

// CheckOwner returns nil when source may change the control, and otherwise an EINVALID
// error that says who may.
func (c *Control) CheckOwner(source string) error {
	return checkOwner("control", c.ID, string(c.Type), string(ControlTypeCustom), c.ManagedBy, source)
}
