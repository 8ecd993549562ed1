package standard

import (
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/confpack"
)

// PackComplianceType is the compliance type of the frameworks made of conformance packs.
const PackComplianceType = "AWS Config conformance pack"

// FromPack turns a conformance pack into a standard framework. When the pack's rules
// name the requirements they serve, the framework has a control per requirement (in
// first-named order, a control set per requirement family, the part of the id before
// its first "-", "." or "(", which is also the control's domain) whose data sources are
// those rules, and rules that name no
// requirement get a control each in the set "Other rules". Otherwise each rule is a
// control of the one set "Rules"; those controls have no domain (Uncategorized). A managed rule is an AWS_Config source whose keyword
// is the rule identifier and whose description lists the pack's parameters; a process
// check is a MANUAL source. Ids derive from the pack's title and the requirement id or
// rule name, so importing the pack again updates the same entries.
func FromPack(p *confpack.Pack) *Content {
	title := singleLine(p.Title, 250)
	var reqs []string
	byReq := map[string][]confpack.Rule{}
	var loose []confpack.Rule
	for _, r := range p.Rules {
		if len(r.Requirements) == 0 {
			loose = append(loose, r)
			continue
		}
		for _, id := range r.Requirements {
			if _, seen := byReq[id]; !seen {
				reqs = append(reqs, id)
			}
			byReq[id] = append(byReq[id], r)
		}
	}
	f := &probity.Framework{
		ID:             probity.DerivedID("standard", "conformance-pack", title),
		Type:           probity.FrameworkTypeStandard,
		Name:           title,
		ComplianceType: PackComplianceType,
		Description:    freeText("The AWS Config rules of the conformance pack "+title+".", 1000),
	}
	content := &Content{Frameworks: []*probity.Framework{f}}
	sets := map[string]int{}
	add := func(set string, c *probity.Control) {
		i, ok := sets[set]
		if !ok {
			i = len(f.ControlSets)
			sets[set] = i
			f.ControlSets = append(f.ControlSets, probity.ControlSet{Name: set})
		}
		f.ControlSets[i].Controls = append(f.ControlSets[i].Controls, c.ID)
		content.Controls = append(content.Controls, c)
	}
	tags := func(key, value string) map[string]string {
		return map[string]string{"conformancePack": title, key: singleLine(value, 256)}
	}
	for _, id := range reqs {
		rules := byReq[id]
		names := make([]string, len(rules))
		sources := make([]probity.ControlMappingSource, 0, len(rules))
		for i, r := range rules {
			names[i] = r.ConfigRuleName
			if len(sources) < probity.MaxMappingSources {
				sources = append(sources, ruleSource(r))
			}
		}
		add(singleLine(family(id), 300, "_", " ", `\`, "/"), &probity.Control{
			ID:                    probity.DerivedID("standard", "conformance-pack", title, "requirement", id),
			Name:                  singleLine(title+": "+id, 300, `\`, "/"),
			Description:           freeText("Requirement "+id+", served by the AWS Config rules "+strings.Join(names, ", ")+".", 1000),
			ControlMappingSources: sources,
			Tags:                  tags("requirement", id),
			Domain:                singleLine(family(id), probity.MaxDomainLength),
		})
	}
	set := "Rules"
	if len(reqs) > 0 {
		set = "Other rules"
	}
	for _, r := range loose {
		desc := r.Description
		if desc == "" {
			desc = "The AWS Config rule " + r.ConfigRuleName + " (" + r.SourceIdentifier + ")."
		}
		add(set, &probity.Control{
			ID:                    probity.DerivedID("standard", "conformance-pack", title, "rule", r.ConfigRuleName),
			Name:                  singleLine(title+": "+r.ConfigRuleName, 300, `\`, "/"),
			Description:           freeText(desc, 1000),
			ControlMappingSources: []probity.ControlMappingSource{ruleSource(r)},
			Tags:                  tags("rule", r.ConfigRuleName),
		})
	}
	for _, c := range content.Controls {
		c.Type, c.State = probity.ControlTypeStandard, probity.ControlStateActive
	}
	return content
}

// ruleSource is the data source of a rule: AWS_Config for a managed rule, MANUAL for a
// process check or a custom rule, which Probity cannot evaluate. A process check (AWS
// Config's manual attestation, which never yields an evaluation) says so in its
// description and carries the pack's description of the practice as troubleshooting
// text, the guidance Audit Manager shows next to a manual source.
func ruleSource(r confpack.Rule) probity.ControlMappingSource {
	if r.Owner == "AWS" && r.SourceIdentifier == confpack.ProcessCheck {
		s := probity.ManualAttestation()
		s.SourceName = singleLine(r.ConfigRuleName, 300)
		s.SourceDescription = processCheckText
		s.TroubleshootingText = freeText(r.Description, 1000)
		return s
	}
	if r.Owner != "AWS" {
		s := probity.ManualAttestation()
		s.SourceName = singleLine(r.ConfigRuleName, 300)
		s.SourceDescription = freeText(r.Description, 1000)
		return s
	}
	var ps []string
	for _, p := range r.Params {
		ps = append(ps, p.Name+"="+p.Value)
	}
	desc := ""
	if len(ps) > 0 {
		desc = "Parameters: " + strings.Join(ps, "; ")
	}
	return probity.ControlMappingSource{
		SourceName:        singleLine(r.ConfigRuleName, 300),
		SourceDescription: freeText(desc, 1000),
		SourceType:        probity.SourceTypeConfig,
		SourceSetUpOption: probity.SetUpSystem,
		SourceKeyword:     &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: r.SourceIdentifier},
	}
}

// processCheckText describes the MANUAL source of a process check.
const processCheckText = "AWS Config process check (" + confpack.ProcessCheck + "): a manual attestation that no rule evaluates. Add evidence that the practice is in place."

// family is a requirement id's family: its part before the first "-", "." or "(".
func family(id string) string {
	if i := strings.IndexAny(id, "-.("); i > 0 {
		return id[:i]
	}
	return id
}
