// Package oscal reads the parts of NIST OSCAL catalogs and profiles that Probity imports:
// groups, controls (with their parameters, properties, links and parts) and profile
// imports (include-all, include-controls and exclude-controls with with-ids, matching
// patterns and with-child-controls). It decodes OSCAL JSON, YAML and XML into one model;
// everything else in a document (metadata beyond the title and version, back-matter
// beyond resource links, merge and modify directives) is ignored.
package oscal

// Document is one OSCAL document: exactly one of Catalog and Profile is set.
type Document struct {
	Catalog *Catalog `json:"catalog"`
	Profile *Profile `json:"profile"`
}

// Metadata is what Probity reads of a document's metadata.
type Metadata struct {
	Title   Markup `json:"title" xml:"title"`
	Version string `json:"version" xml:"version"`
}

// Catalog is an OSCAL catalog: controls, usually in groups.
type Catalog struct {
	UUID       string      `json:"uuid" xml:"uuid,attr"`
	Metadata   Metadata    `json:"metadata" xml:"metadata"`
	Params     []Param     `json:"params" xml:"param"`
	Groups     []Group     `json:"groups" xml:"group"`
	Controls   []Control   `json:"controls" xml:"control"`
	BackMatter *BackMatter `json:"back-matter" xml:"back-matter"`
}

// Group is a family of controls (or of further groups).
type Group struct {
	ID       string    `json:"id" xml:"id,attr"`
	Class    string    `json:"class" xml:"class,attr"`
	Title    Markup    `json:"title" xml:"title"`
	Params   []Param   `json:"params" xml:"param"`
	Props    []Prop    `json:"props" xml:"prop"`
	Parts    []Part    `json:"parts" xml:"part"`
	Groups   []Group   `json:"groups" xml:"group"`
	Controls []Control `json:"controls" xml:"control"`
}

// Control is a control or, nested in another, one of its enhancements.
type Control struct {
	ID       string    `json:"id" xml:"id,attr"`
	Class    string    `json:"class" xml:"class,attr"`
	Title    Markup    `json:"title" xml:"title"`
	Params   []Param   `json:"params" xml:"param"`
	Props    []Prop    `json:"props" xml:"prop"`
	Links    []Link    `json:"links" xml:"link"`
	Parts    []Part    `json:"parts" xml:"part"`
	Controls []Control `json:"controls" xml:"control"`
}

// Param is a control parameter ("organization-defined ...").
type Param struct {
	ID     string  `json:"id" xml:"id,attr"`
	Label  Markup  `json:"label" xml:"label"`
	Select *Select `json:"select" xml:"select"`
}

// Select is a parameter whose value is chosen from a list.
type Select struct {
	HowMany string   `json:"how-many" xml:"how-many,attr"`
	Choice  []Markup `json:"choice" xml:"choice"`
}

// Prop is a name/value property.
type Prop struct {
	Name  string `json:"name" xml:"name,attr"`
	NS    string `json:"ns" xml:"ns,attr"`
	Value string `json:"value" xml:"value,attr"`
}

// Link points at a resource or another control.
type Link struct {
	Href string `json:"href" xml:"href,attr"`
	Rel  string `json:"rel" xml:"rel,attr"`
}

// Part is a piece of a control's text: its statement, guidance, an item of either.
// Prose is OSCAL markdown, with parameters as "{{ insert: param, ID }}" (XML prose is
// converted to that form as it is read).
type Part struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	NS    string `json:"ns"`
	Title Markup `json:"title"`
	Props []Prop `json:"props"`
	Prose string `json:"prose"`
	Parts []Part `json:"parts"`
}

// Profile selects controls from catalogs (or other profiles).
type Profile struct {
	UUID       string      `json:"uuid" xml:"uuid,attr"`
	Metadata   Metadata    `json:"metadata" xml:"metadata"`
	Imports    []Import    `json:"imports" xml:"import"`
	BackMatter *BackMatter `json:"back-matter" xml:"back-matter"`
}

// Import selects controls of one catalog or profile.
type Import struct {
	Href            string     `json:"href" xml:"href,attr"`
	IncludeAll      *struct{}  `json:"include-all" xml:"include-all"`
	IncludeControls []Selector `json:"include-controls" xml:"include-controls"`
	ExcludeControls []Selector `json:"exclude-controls" xml:"exclude-controls"`
}

// Selector names controls by id or by pattern, with or without their children.
type Selector struct {
	WithChildControls string     `json:"with-child-controls" xml:"with-child-controls,attr"`
	WithIDs           []string   `json:"with-ids" xml:"with-id"`
	Matching          []Matching `json:"matching" xml:"matching"`
}

// Matching is a glob over control ids ("ac-*", "ac-2.?").
type Matching struct {
	Pattern string `json:"pattern" xml:"pattern,attr"`
}

// BackMatter holds the resources that hrefs "#UUID" name.
type BackMatter struct {
	Resources []Resource `json:"resources" xml:"resource"`
}

// Resource is a back-matter resource and where copies of it are.
type Resource struct {
	UUID   string  `json:"uuid" xml:"uuid,attr"`
	Rlinks []Rlink `json:"rlinks" xml:"rlink"`
}

// Rlink is one location of a resource.
type Rlink struct {
	Href string `json:"href" xml:"href,attr"`
}

// Markup is a line of OSCAL markup (a title, a label) as plain text.
type Markup string

// Prop returns the value of the control's first property with the name and no
// namespace, or "".
func (c *Control) Prop(name string) string { return propValue(c.Props, name) }

// Withdrawn reports whether the control's status property says it is withdrawn.
func (c *Control) Withdrawn() bool {
	for _, p := range c.Props {
		if p.Name == "status" && (p.Value == "withdrawn" || p.Value == "Withdrawn") {
			return true
		}
	}
	return false
}

// Part returns the control's first top-level part with the name, or nil.
func (c *Control) Part(name string) *Part {
	for i := range c.Parts {
		if c.Parts[i].Name == name {
			return &c.Parts[i]
		}
	}
	return nil
}

func propValue(props []Prop, name string) string {
	for _, p := range props {
		if p.Name == name && (p.NS == "" || p.NS == "http://csrc.nist.gov/ns/oscal") {
			return p.Value
		}
	}
	return ""
}
