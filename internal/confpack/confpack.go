// Package confpack reads AWS Config conformance-pack templates (CloudFormation YAML or
// JSON): the pack's title, its parameters' defaults, and each AWS::Config::ConfigRule
// with its rule identifier and input parameters resolved against those defaults.
package confpack

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Pack is a conformance pack.
type Pack struct {
	// Title is the pack's name: its file name without the extension, dashes as spaces
	// (AWS's packs' own header comments do not tell CIS AWS 1.3 and 1.4 apart).
	Title string
	Rules []Rule
}

// Rule is one AWS Config rule of a pack.
type Rule struct {
	LogicalID        string
	ConfigRuleName   string
	Owner            string // AWS for managed rules
	SourceIdentifier string // the managed rule identifier, such as IAM_PASSWORD_POLICY
	Description      string
	// Params are the rule's input parameters with the pack's values, by name; a
	// parameter whose value is AWS::NoValue is left out.
	Params []Param
	// Requirements are the ids of the requirements the rule serves, from the resource's
	// Metadata.Requirements (a list, or one comma-separated string); empty when the pack
	// does not say.
	Requirements []string
}

// Param is an input parameter of a rule and the value the pack gives it.
type Param struct{ Name, Value string }

// ProcessCheck is the identifier of AWS Config's manual "process check" rules.
const ProcessCheck = "AWS_CONFIG_PROCESS_CHECK"

// Decode reads a pack. name is the file, for messages and the default title. It returns
// an error "name:line:col: member: reason" for a template that does not parse, has no
// Resources, or has a Config rule without a ConfigRuleName or Source.SourceIdentifier.
func Decode(name string, data []byte) (*Pack, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s:1:1: template: invalid YAML or JSON: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:1:1: template: must be a mapping with Resources", name)
	}
	doc := root.Content[0]
	p := &Pack{}
	p.Title = strings.ReplaceAll(strings.TrimSuffix(filepath.Base(name), filepath.Ext(name)), "-", " ")
	defaults := map[string]string{}
	if params := get(doc, "Parameters"); params != nil && params.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(params.Content); i += 2 {
			if d := get(params.Content[i+1], "Default"); d != nil && d.Kind == yaml.ScalarNode {
				defaults[params.Content[i].Value] = d.Value
			}
		}
	}
	res := get(doc, "Resources")
	if res == nil || res.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d:%d: Resources: is required and must be a mapping", name, doc.Line, doc.Column)
	}
	for i := 0; i+1 < len(res.Content); i += 2 {
		id, r := res.Content[i].Value, res.Content[i+1]
		if t := get(r, "Type"); t == nil || strings.TrimSpace(t.Value) != "AWS::Config::ConfigRule" {
			continue
		}
		at := func(n *yaml.Node, member, reason string) error {
			return fmt.Errorf("%s:%d:%d: Resources.%s.%s: %s", name, n.Line, n.Column, id, member, reason)
		}
		props := get(r, "Properties")
		if props == nil {
			return nil, at(r, "Properties", "is required")
		}
		rule := Rule{LogicalID: id}
		if n := get(props, "ConfigRuleName"); n != nil && n.Kind == yaml.ScalarNode {
			rule.ConfigRuleName = n.Value
		} else {
			return nil, at(props, "Properties.ConfigRuleName", "is required and must be a string")
		}
		if n := get(props, "Description"); n != nil && n.Kind == yaml.ScalarNode {
			rule.Description = n.Value
		}
		src := get(props, "Source")
		sid := get(src, "SourceIdentifier")
		if sid == nil || sid.Kind != yaml.ScalarNode || sid.Value == "" {
			return nil, at(props, "Properties.Source.SourceIdentifier", "is required and must be a string")
		}
		rule.SourceIdentifier = sid.Value
		if o := get(src, "Owner"); o != nil {
			rule.Owner = o.Value
		}
		if in := get(props, "InputParameters"); in != nil && in.Kind == yaml.MappingNode {
			for k := 0; k+1 < len(in.Content); k += 2 {
				if v, ok := value(in.Content[k+1], defaults); ok {
					rule.Params = append(rule.Params, Param{Name: in.Content[k].Value, Value: v})
				}
			}
			sort.Slice(rule.Params, func(a, b int) bool { return rule.Params[a].Name < rule.Params[b].Name })
		}
		if req := get(get(r, "Metadata"), "Requirements"); req != nil {
			switch req.Kind {
			case yaml.SequenceNode:
				for _, n := range req.Content {
					if n.Kind != yaml.ScalarNode {
						return nil, at(n, "Metadata.Requirements", "must list requirement ids as strings")
					}
					rule.Requirements = append(rule.Requirements, strings.TrimSpace(n.Value))
				}
			case yaml.ScalarNode:
				for _, s := range strings.Split(req.Value, ",") {
					if s = strings.TrimSpace(s); s != "" {
						rule.Requirements = append(rule.Requirements, s)
					}
				}
			default:
				return nil, at(req, "Metadata.Requirements", "must be a list of requirement ids")
			}
		}
		p.Rules = append(p.Rules, rule)
	}
	if len(p.Rules) == 0 {
		return nil, fmt.Errorf("%s:%d:%d: Resources: holds no AWS::Config::ConfigRule", name, res.Line, res.Column)
	}
	return p, nil
}

// value resolves a parameter value: a scalar, a Ref to a pack parameter (its default),
// or the Fn::If the packs use to leave a parameter out when it is empty. It reports
// false for AWS::NoValue and for what it cannot resolve.
func value(n *yaml.Node, defaults map[string]string) (string, bool) {
	switch {
	case n == nil:
		return "", false
	case n.Kind == yaml.ScalarNode && n.Tag == "!Ref":
		return ref(n.Value, defaults)
	case n.Kind == yaml.ScalarNode:
		return n.Value, true
	case n.Kind == yaml.MappingNode && len(n.Content) == 2:
		switch n.Content[0].Value {
		case "Ref":
			return ref(n.Content[1].Value, defaults)
		case "Fn::If":
			if l := n.Content[1]; l.Kind == yaml.SequenceNode && len(l.Content) == 3 {
				if v, ok := value(l.Content[1], defaults); ok && v != "" {
					return v, true
				}
				return value(l.Content[2], defaults)
			}
		}
	case n.Kind == yaml.SequenceNode && n.Tag == "!If" && len(n.Content) == 3:
		if v, ok := value(n.Content[1], defaults); ok && v != "" {
			return v, true
		}
		return value(n.Content[2], defaults)
	}
	return "", false
}

func ref(name string, defaults map[string]string) (string, bool) {
	if name == "AWS::NoValue" {
		return "", false
	}
	v, ok := defaults[name]
	return v, ok
}

// get returns the value of a mapping's key, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
