package standard

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/oscal"
)

// How the classes of the NIST catalogs map onto controls. A control of a grouping
// class (CSF 2.0's categories) is a heading, not a control: its children are controls
// of its family. A control of a statement class (SP 800-171 r3's security
// requirements) holds the statement of its parent requirement.
var (
	groupingClasses  = map[string]bool{"category": true}
	statementClasses = map[string]bool{"security_requirement": true}
)

// OSCAL is what one import of an OSCAL catalog gives: its controls, the framework of
// all of them, and a framework per profile.
type OSCAL struct {
	Content
	// Withdrawn counts the controls that are kept but marked withdrawn.
	Withdrawn int
	// byCatalogID maps the catalog's control ids to the controls made of them.
	byCatalogID map[string]*probity.Control
	families    map[string]string // catalog control id -> family title
	order       []string          // catalog control ids, in the catalog's order
	catalog     *oscal.Catalog
}

// FromCatalog turns a catalog into standard controls (withdrawn ones kept, in state
// END_OF_SUPPORT and tagged status=withdrawn) and one standard framework of its current
// controls with a control set per family. Ids derive from the catalog's title and the
// catalog's control ids, so importing the same catalog again, or a later release with
// the same title, updates the same controls.
func FromCatalog(cat *oscal.Catalog) *OSCAL {
	o := &OSCAL{byCatalogID: map[string]*probity.Control{}, families: map[string]string{}, catalog: cat}
	title := catalogTitle(cat)
	ps := catalogParams(cat)
	examples := hasExamples(cat)
	for _, e := range cat.Entries() {
		c := e.Control
		if groupingClasses[c.Class] || statementClasses[c.Class] {
			continue
		}
		withdrawn := c.Withdrawn() || (examples && c.Class == "subcategory" && !hasPart(c, "example"))
		statement := ""
		if p := c.Part("statement"); p != nil {
			statement = ps.partText(p)
		}
		for i := range c.Controls {
			if statementClasses[c.Controls[i].Class] {
				if p := c.Controls[i].Part("statement"); p != nil {
					statement = strings.TrimSpace(statement + "\n" + ps.partText(p))
				}
			}
		}
		guidance := ""
		if p := c.Part("guidance"); p != nil {
			guidance = ps.partText(p)
		}
		family, domain := "Controls", ""
		if e.Family != nil {
			family = singleLine(string(e.Family.Title), 300, "_", " ", `\`, "/")
			domain = familyDomain(e.Family)
		}
		tags := map[string]string{"catalog": singleLine(title, 256), "controlId": singleLine(c.ID, 256), "family": family}
		state := probity.ControlStateActive
		if withdrawn {
			tags["status"] = "withdrawn"
			state = probity.ControlStateEndOfSupport
			o.Withdrawn++
		}
		ctl := &probity.Control{
			ID:                    probity.DerivedID("standard", "oscal", title, c.ID),
			Type:                  probity.ControlTypeStandard,
			Name:                  controlName(e, statement, withdrawn),
			Description:           freeText(statement, 1000),
			TestingInformation:    freeText(guidance, 1000),
			ControlMappingSources: []probity.ControlMappingSource{probity.ManualAttestation()},
			Tags:                  tags,
			State:                 state,
			Domain:                domain,
		}
		o.Controls = append(o.Controls, ctl)
		o.byCatalogID[c.ID] = ctl
		o.families[c.ID] = family
		o.order = append(o.order, c.ID)
	}
	var current []string
	for _, id := range o.order {
		if o.byCatalogID[id].State == probity.ControlStateActive {
			current = append(current, id)
		}
	}
	version := ""
	if cat.Metadata.Version != "" {
		version = " (version " + cat.Metadata.Version + ")"
	}
	o.Frameworks = append(o.Frameworks, o.framework("catalog", title,
		"Every current control of the OSCAL catalog "+title+version+", by family.", current))
	return o
}

// AddProfile adds the framework of a profile: its resolved controls of this catalog,
// withdrawn ones left out, by family. resolve loads what the profile's imports name;
// it returns an error for a profile that selects from another catalog or fails to
// resolve.
func (o *OSCAL) AddProfile(p *oscal.Profile, resolve oscal.Resolver) error {
	title := singleLine(string(p.Metadata.Title), 300)
	if title == "" {
		return fmt.Errorf("profile.metadata.title: is required: it names the framework")
	}
	sels, err := p.Resolve(resolve)
	if err != nil {
		return err
	}
	var ids []string
	for _, s := range sels {
		if s.Catalog != o.catalog {
			return fmt.Errorf("profile %s imports the catalog %q, not %q given with it", title, catalogTitle(s.Catalog), catalogTitle(o.catalog))
		}
		for _, id := range s.IDs {
			if c := o.byCatalogID[id]; c != nil && c.State == probity.ControlStateActive {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return fmt.Errorf("profile %s selects no current control of %q", title, catalogTitle(o.catalog))
	}
	version := ""
	if p.Metadata.Version != "" {
		version = " (version " + p.Metadata.Version + ")"
	}
	o.Frameworks = append(o.Frameworks, o.framework("profile", title,
		"The controls of "+catalogTitle(o.catalog)+" that the OSCAL profile "+title+version+" selects, by family.", ids))
	return nil
}

// framework makes a framework of the catalog's controls with the ids, a control set per
// family in the catalog's order.
func (o *OSCAL) framework(kind, name, description string, ids []string) *probity.Framework {
	f := &probity.Framework{
		ID:             probity.DerivedID("standard", "oscal-"+kind, name),
		Type:           probity.FrameworkTypeStandard,
		Name:           name,
		Description:    freeText(description, 1000),
		ComplianceType: singleLine(catalogTitle(o.catalog), 100),
	}
	index := map[string]int{}
	for _, id := range ids {
		fam := o.families[id]
		i, ok := index[fam]
		if !ok {
			i = len(f.ControlSets)
			index[fam] = i
			f.ControlSets = append(f.ControlSets, probity.ControlSet{Name: fam})
		}
		f.ControlSets[i].Controls = append(f.ControlSets[i].Controls, o.byCatalogID[id].ID)
	}
	return f
}

// catalogTitle is the catalog's title on one line, at most 300 characters.
func catalogTitle(c *oscal.Catalog) string { return singleLine(string(c.Metadata.Title), 300) }

// controlName is "LABEL TITLE" ("AC-2(1) Account Management | Automated System Account
// Management" for an enhancement), or the label alone when it holds the title, followed
// by the statement when the title only repeats the label; " [withdrawn]" marks a
// withdrawn control.
func controlName(e oscal.Entry, statement string, withdrawn bool) string {
	c := e.Control
	label := c.Prop("label")
	if label == "" {
		label = c.ID
	}
	title := string(c.Title)
	if e.Parent != nil && !groupingClasses[e.Parent.Class] && e.Parent.Title != "" {
		title = string(e.Parent.Title) + " | " + title
	}
	var name string
	switch {
	case title == "" || strings.Contains(label, title):
		name = label
		if first, _, _ := strings.Cut(statement, "\n"); first != "" && (title == "" || title == label) {
			name += " " + first
		}
	case strings.Contains(title, label):
		name = title
	default:
		name = label + " " + title
	}
	suffix := ""
	if withdrawn {
		suffix = " [withdrawn]"
	}
	return singleLine(singleLine(name, 300-len(suffix), `\`, "/")+suffix, 300)
}

// hasExamples reports whether the catalog gives implementation examples (CSF 2.0 does,
// for every current subcategory). NIST's OSCAL CSF 2.0 catalog keeps CSF 1.1's
// withdrawn subcategories without a status; they are the ones without examples.
func hasExamples(c *oscal.Catalog) bool {
	for _, e := range c.Entries() {
		if hasPart(e.Control, "example") {
			return true
		}
	}
	return false
}

func hasPart(c *oscal.Control, name string) bool { return c.Part(name) != nil }

// familyDomain is the control domain of a catalog's family: its id in capitals when that
// is a short code of letters (SP 800-53's ac is AC, CSF 2.0's GV), else its title (SP
// 800-171 r3's SP_800_171_03.01 is Access Control).
func familyDomain(g *oscal.Group) string {
	short := len(g.ID) > 0 && len(g.ID) <= 4
	for _, r := range g.ID {
		short = short && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}
	if short {
		return strings.ToUpper(g.ID)
	}
	return singleLine(string(g.Title), probity.MaxDomainLength)
}
