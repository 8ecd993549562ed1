// Package rules evaluates AWS Config managed rules against configuration items and
// account facts (internal/ci), without AWS Config. A Rule is declared once in a table;
// Bind checks its parameters and yields a Check that evaluates any number of items.
package rules

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/ci"
)

// Compliance is an evaluation's outcome, as AWS Config names it.
type Compliance string

// The outcomes.
const (
	Compliant     Compliance = "COMPLIANT"
	NonCompliant  Compliance = "NON_COMPLIANT"
	NotApplicable Compliance = "NOT_APPLICABLE"
)

// AccountResourceType is the resource type of account-level results.
const AccountResourceType = "AWS::::Account"

// Result is the evaluation of one resource.
type Result struct {
	ResourceType   string     `json:"resourceType"`
	ResourceID     string     `json:"resourceId"`
	ComplianceType Compliance `json:"complianceType"`
	Annotation     string     `json:"annotation"`
}

// ParamType is the type of a rule parameter. Parameters always arrive as strings.
type ParamType string

// Parameter types.
const (
	Int    ParamType = "int"
	Bool   ParamType = "boolean" // "true" (exactly) is true, anything else false, as AWS Config reads it
	String ParamType = "string"
	CSV    ParamType = "csv"    // comma-separated list; blanks around items are dropped
	Double ParamType = "double" // a non-negative decimal number
)

// Param documents one rule parameter. Default is "" when the parameter has none.
type Param struct {
	Name     string    `json:"name"`
	Type     ParamType `json:"type"`
	Default  string    `json:"default,omitempty"`
	Required bool      `json:"required,omitempty"`
}

// Env is what an evaluation may read besides the item: the clock, the account facts
// of the snapshot the item came from (nil when there are none), and its related items.
type Env struct {
	Now     time.Time
	Account *ci.Account
	// Related holds the snapshot's items of the rule's Related types (nil for a lone CI,
	// and for rules without Related).
	Related *Related
}

// Rule is one managed rule. A rule is either resource-scoped (Scope lists resource
// types and Item decides one CI) or account-level (Scope is empty and Account decides
// from the account facts, returning one result per resource it knows of).
type Rule struct {
	ID          string
	Description string
	Scope       []string
	Params      []Param
	// Item returns the compliance of an in-scope, not deleted item and an annotation.
	Item func(a Args, it *ci.Item, env Env) (Compliance, string, error)
	// FromSupplementary says that Item decides from supplementaryConfiguration alone, so
	// an item that carries one (even empty: AWS Config leaves out what is not set) but no
	// configuration is evaluated, not NOT_APPLICABLE.
	FromSupplementary bool
	// Account returns the account-level results; nil results mean the facts it needs
	// were not collected.
	Account func(a Args, acct *ci.Account, env Env) ([]Result, error)
	// Related lists the resource types, besides Scope, whose items Item reads through
	// env.Related (EvaluateRelated).
	Related []string
	// CheckParams, when not nil, checks what a parameter's type does not: the values a
	// rule accepts (ranges, enumerations, formats such as a Kubernetes version). Bind
	// calls it once the types are checked, with the bound Args (defaults filled in; a
	// parameter whose value has the wrong type is absent), and reports every FieldError
	// it returns: Name the parameter, Message why, naming the value (`"weekly" is not
	// hours or days`). An error about a parameter whose type is already wrong is dropped.
	// Item and Account rely on it: they never fail on a parameter value.
	CheckParams func(a Args) []probity.FieldError
}

// InScope reports whether the rule evaluates items of resourceType.
func (r *Rule) InScope(resourceType string) bool {
	return slices.Contains(r.Scope, resourceType)
}

// ScopeText returns the rule's scope for listings: its resource types, or "account".
func (r *Rule) ScopeText() string {
	if len(r.Scope) == 0 {
		return "account"
	}
	return strings.Join(r.Scope, ",")
}

// Args are a rule's bound parameters, checked by Bind; the accessors never fail.
type Args map[string]string

// Int returns the integer parameter name (0 when unset).
func (a Args) Int(name string) int { n, _ := strconv.Atoi(a[name]); return n }

// Bool returns the boolean parameter name: true only for "true", as AWS Config reads it.
func (a Args) Bool(name string) bool { return a[name] == "true" }

// Double returns the decimal parameter name (0 when unset).
func (a Args) Double(name string) float64 { f, _ := strconv.ParseFloat(a[name], 64); return f }

// Set reports whether the parameter has a value (given or default).
func (a Args) Set(name string) bool { return a[name] != "" }

// Str returns the string parameter name.
func (a Args) Str(name string) string { return a[name] }

// List returns the CSV parameter name as a list (nil when unset).
func (a Args) List(name string) []string {
	var out []string
	for _, s := range strings.Split(a[name], ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Check is a rule bound to its parameters.
type Check struct {
	Rule *Rule
	Args Args
}

// Bind checks params against the rule's declared parameters and fills in defaults. It
// returns an EINVALID *probity.Error naming every unknown parameter, missing required
// parameter, value of the wrong type and value the rule's CheckParams refuses, its
// Fields sorted by name.
func (r *Rule) Bind(params map[string]string) (*Check, error) {
	args := Args{}
	var fields []probity.FieldError
	for name := range params {
		if !slices.ContainsFunc(r.Params, func(p Param) bool { return p.Name == name }) {
			fields = append(fields, probity.FieldError{Name: name, Message: "unknown parameter" + r.paramHint()})
		}
	}
	for _, p := range r.Params {
		v, given := params[p.Name]
		v = strings.TrimSpace(v)
		if !given || v == "" {
			v = p.Default
		}
		if v == "" {
			if p.Required {
				fields = append(fields, probity.FieldError{Name: p.Name, Message: "required"})
			}
			continue
		}
		switch p.Type {
		case Int:
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				fields = append(fields, probity.FieldError{Name: p.Name, Message: fmt.Sprintf("%q is not a non-negative integer", v)})
				continue
			}
		case Double:
			if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
				fields = append(fields, probity.FieldError{Name: p.Name, Message: fmt.Sprintf("%q is not a non-negative number", v)})
				continue
			}
		case Bool:
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				fields = append(fields, probity.FieldError{Name: p.Name, Message: fmt.Sprintf("%q is not true or false", v)})
				continue
			}
		}
		args[p.Name] = v
	}
	if r.CheckParams != nil {
		typed := len(fields)
		for _, f := range r.CheckParams(args) {
			if !slices.ContainsFunc(fields[:typed], func(g probity.FieldError) bool { return g.Name == f.Name }) {
				fields = append(fields, f)
			}
		}
	}
	if len(fields) > 0 {
		slices.SortStableFunc(fields, func(a, b probity.FieldError) int { return strings.Compare(a.Name, b.Name) })
		return nil, &probity.Error{Code: probity.EINVALID, Message: "rule " + r.ID + ": bad parameters", Fields: fields}
	}
	return &Check{Rule: r, Args: args}, nil
}

func (r *Rule) paramHint() string {
	if len(r.Params) == 0 {
		return " (the rule takes none)"
	}
	names := make([]string, len(r.Params))
	for i, p := range r.Params {
		names[i] = p.Name
	}
	return " (the rule takes " + strings.Join(names, ", ") + ")"
}

// EvaluateItem evaluates one CI. Items outside the rule's scope, and deleted items,
// are NOT_APPLICABLE; so is every item for an account-level rule. It fails when the
// item's configuration does not have the shape the rule reads; the error names the
// resource.
func (c *Check) EvaluateItem(it *ci.Item, env Env) (Result, error) {
	res := Result{ResourceType: it.ResourceType, ResourceID: it.ResourceID, ComplianceType: NotApplicable}
	switch {
	case c.Rule.Item == nil || !c.Rule.InScope(it.ResourceType):
		return res, nil
	case it.Deleted() || (!it.HasConfiguration() && !(c.Rule.FromSupplementary && it.Supplementary != nil)):
		return res, nil
	}
	comp, note, err := c.Rule.Item(c.Args, it, env)
	if err != nil {
		return Result{}, fmt.Errorf("%s %s: %w", it.ResourceType, it.ResourceID, err)
	}
	res.ComplianceType, res.Annotation = comp, note
	return res, nil
}

// EvaluateAccount evaluates an account-level rule against the account facts. It
// returns no results for resource-scoped rules, and none when the facts the rule needs
// were not collected.
func (c *Check) EvaluateAccount(acct *ci.Account, env Env) ([]Result, error) {
	if c.Rule.Account == nil || acct == nil {
		return nil, nil
	}
	return c.Rule.Account(c.Args, acct, env)
}
