package probity

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// CustomRulePrefix is how a control's AWS_Config keyword names a custom rule:
// Custom_<name>, as Audit Manager names custom AWS Config rules.
const CustomRulePrefix = "Custom_"

// CustomRule is a rule written as code in a catalog (rules/*.yaml): a CEL condition over
// one configuration item, with typed parameters. Its expressions are checked by the rule
// engine (internal/rules), not here; Validate checks the members' shape only.
type CustomRule struct {
	ID        string
	AccountID string

	Name          string
	Description   string
	ResourceTypes []string
	Parameters    []RuleParameter
	// Applicable, when not empty, is a CEL expression; an item for which it is false is
	// NOT_APPLICABLE.
	Applicable string
	// Condition is a CEL expression; true is COMPLIANT, false NON_COMPLIANT.
	Condition string
	// Annotation is the text given with a NON_COMPLIANT result.
	Annotation string

	ManagedBy     string
	CreatedAt     time.Time
	CreatedBy     string
	LastUpdatedAt time.Time
	LastUpdatedBy string
}

// RuleParameter declares one parameter of a custom rule. Values arrive as strings, as
// AWS Config passes them; Type says how the condition sees them.
type RuleParameter struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Default  string `json:"default,omitempty"`
	Required bool   `json:"required,omitempty"`
}

// RuleParameterTypes are the parameter types a custom rule may declare.
var RuleParameterTypes = []string{"string", "int", "boolean", "csv"}

var (
	ruleNamePattern     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	resourceTypePattern = regexp.MustCompile(`^AWS::[A-Za-z0-9]*::[A-Za-z0-9]+$`)
	paramNamePattern    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
)

// Keyword returns the AWS_Config keyword that names the rule (Custom_<name>).
func (r *CustomRule) Keyword() string { return CustomRulePrefix + r.Name }

// Validate returns an EINVALID *Error listing every member whose shape is wrong, or nil:
// the name (letters, digits, - and _, as AWS Config names rules), at least one resource
// type of the form AWS::Service::Type, unique parameter names that are CEL identifiers
// with a known type, and a condition. Member names are those of the rule's file.
func (r *CustomRule) Validate() error {
	var ck checker
	ck.text("name", r.Name, SingleLine, true, 1, 128, ruleNamePattern, "must be 1 to 128 letters, digits, - or _")
	ck.text("description", r.Description, FreeText, false, 0, 1000, nil, "")
	if len(r.ResourceTypes) == 0 {
		ck.add("resourceTypes", "must have at least 1 item")
	}
	for i, t := range r.ResourceTypes {
		if !resourceTypePattern.MatchString(t) {
			ck.add(index("resourceTypes", i), "%q is not a resource type such as AWS::S3::Bucket", t)
		}
	}
	seen := map[string]bool{}
	for i, p := range r.Parameters {
		name := index("parameters", i)
		switch {
		case !paramNamePattern.MatchString(p.Name):
			ck.add(name+".name", "must be a letter or _ followed by letters, digits or _ (at most 64)")
		case seen[p.Name]:
			ck.add(name+".name", "%q is declared twice", p.Name)
		}
		seen[p.Name] = true
		if !slices.Contains(RuleParameterTypes, p.Type) {
			ck.add(name+".type", "must be one of %s", strings.Join(RuleParameterTypes, ", "))
		}
	}
	if IsBlank(r.Condition) {
		ck.add("condition", "is required")
	}
	ck.text("annotation", r.Annotation, FreeText, false, 0, 256, nil, "")
	return ck.err("rule")
}

// Diff returns the members whose content differs between r and o, in file order.
func (r *CustomRule) Diff(o *CustomRule) []string {
	var d []string
	add := func(name string, same bool) {
		if !same {
			d = append(d, name)
		}
	}
	add("name", r.Name == o.Name)
	add("description", r.Description == o.Description)
	add("resourceTypes", slices.Equal(r.ResourceTypes, o.ResourceTypes))
	add("parameters", slices.Equal(r.Parameters, o.Parameters))
	add("applicable", r.Applicable == o.Applicable)
	add("condition", r.Condition == o.Condition)
	add("annotation", r.Annotation == o.Annotation)
	return d
}

// OwnedBy reports whether source manages the rule (see Control.OwnedBy).
func (r *CustomRule) OwnedBy(source string) bool { return r.ManagedBy == source }
