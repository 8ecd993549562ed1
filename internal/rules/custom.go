package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/interpreter"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/ci"
)

// A custom rule is a probity.CustomRule compiled into a Rule whose ID is its keyword
// (Custom_<name>) and whose Item evaluates its CEL expressions. What the expressions see:
//
//   - resource: the configuration item, with the members of the history dialect
//     (resourceType, resourceId, resourceName, arn, accountId, awsRegion,
//     availabilityZone, configurationItemStatus, configurationItemCaptureTime and
//     resourceCreationTime as timestamps, tags as a map of strings, relationships),
//     configuration as JSON values (whole numbers as int, others as double, members
//     that are null left out, as AWS Config writes null for unset), and
//     supplementaryConfiguration with members that AWS Config stores as JSON text
//     already decoded;
//   - params: the parameters, each typed as declared (int, bool, string, list of strings
//     for csv); a parameter with no value and no default is absent (has(params.x));
//   - now: the evaluation clock (rules eval --now).
//
// Helper functions (helpers in celfuncs.go) cover policy documents, CIDRs, port ranges
// and times.

// Problem is one thing wrong with a custom rule. Field names the member of the rule's
// file; Line and Col (from 1) place it within that member's expression, and are 0 when
// the problem concerns the member as a whole.
type Problem struct {
	Field   string
	Line    int
	Col     int
	Message string
}

// CompileError lists every problem of a custom rule that does not compile.
type CompileError struct {
	Rule     string
	Problems []Problem
}

func (e *CompileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "custom rule %s does not compile", e.Rule)
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Field)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", p.Line, p.Col)
		}
		b.WriteString(": ")
		b.WriteString(p.Message)
	}
	return b.String()
}

// compiled caches compiled rules by their definition, so that a rule is compiled once per
// process however often the catalog, the CLI and the collectors ask for it. Entries are
// immutable; the cache is emptied when it reaches maxCompiled.
var compiled = struct {
	sync.Mutex
	m map[string]*Rule
}{m: map[string]*Rule{}}

const maxCompiled = 4096

// Compile compiles a custom rule into a Rule: ID Custom_<name>, its resource types as
// scope, its parameters (bound and defaulted by Bind like a managed rule's), and an Item
// that evaluates Applicable (false: NOT_APPLICABLE) and then Condition (true: COMPLIANT,
// false: NON_COMPLIANT with the rule's Annotation). It returns a *CompileError naming every
// member that is malformed, every expression that does not parse or type-check (placed
// within the expression), every expression that is not boolean, and every params.x that
// names no declared parameter. Compile is safe for concurrent use; the same definition
// yields the same *Rule.
func Compile(def *probity.CustomRule) (*Rule, error) {
	key := cacheKey(def)
	compiled.Lock()
	r := compiled.m[key]
	compiled.Unlock()
	if r != nil {
		return r, nil
	}
	r, err := compile(def, CostLimit)
	if err != nil {
		return nil, err
	}
	compiled.Lock()
	if len(compiled.m) >= maxCompiled {
		clear(compiled.m)
	}
	compiled.m[key] = r
	compiled.Unlock()
	return r, nil
}

func cacheKey(def *probity.CustomRule) string {
	b, _ := json.Marshal([]any{def.Name, def.Description, def.ResourceTypes, def.Parameters, def.Applicable, def.Condition, def.Annotation})
	return string(b)
}

// CostLimit bounds the work of one evaluation of a custom rule's expression: the steps
// of its comprehensions (all, exists, exists_one, map, filter), nested ones included,
// counted together (see countSteps in celfuncs.go). An evaluation that goes past it
// stops and the item's evaluation fails with an error that says so, so a rule cannot
// spin on an item (nested comprehensions over long lists). The example rules take a
// few dozen steps on ordinary items; a security group of a thousand rules checked
// against a few ports and networks takes some ten thousand.
const CostLimit = 1_000_000

// compile compiles def with the cost limit limit (0: none).
func compile(def *probity.CustomRule, limit uint64) (*Rule, error) {
	cerr := &CompileError{Rule: def.Name}
	for _, fe := range probity.ErrorFields(def.Validate()) {
		cerr.Problems = append(cerr.Problems, Problem{Field: fe.Name, Message: fe.Message})
	}
	params := make([]Param, len(def.Parameters))
	declared := map[string]bool{}
	for i, p := range def.Parameters {
		params[i] = Param{Name: p.Name, Type: ParamType(p.Type), Default: p.Default, Required: p.Required}
		declared[p.Name] = true
		if p.Default != "" {
			if msg := checkParam(params[i].Type, strings.TrimSpace(p.Default)); msg != "" {
				cerr.Problems = append(cerr.Problems, Problem{Field: fmt.Sprintf("parameters[%d].default", i), Message: msg})
			}
		}
	}
	var applicable, condition *program
	if def.Applicable != "" {
		applicable = compileExpr("applicable", def.Applicable, declared, limit, cerr)
	}
	if !probity.IsBlank(def.Condition) {
		condition = compileExpr("condition", def.Condition, declared, limit, cerr)
	}
	if len(cerr.Problems) > 0 {
		return nil, cerr
	}
	usesSupp := strings.Contains(def.Applicable, "supplementaryConfiguration") || strings.Contains(def.Condition, "supplementaryConfiguration")
	note := def.Annotation
	if note == "" {
		note = "condition is false"
	}
	r := &Rule{
		ID:          def.Keyword(),
		Description: def.Description,
		Scope:       slices.Clone(def.ResourceTypes),
		Params:      params,
	}
	ps := &paramSet{decl: params}
	r.Item = func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
		act, err := newActivation(a, ps, it, env, usesSupp)
		if err != nil {
			return "", "", err
		}
		if applicable != nil {
			ok, err := applicable.eval(act)
			if err != nil {
				return "", "", err
			}
			if !ok {
				return NotApplicable, "", nil
			}
		}
		ok, err := condition.eval(act)
		if err != nil {
			return "", "", err
		}
		return verdict(ok, note)
	}
	return r, nil
}

// checkParam returns why v is not a value of type t, or "".
func checkParam(t ParamType, v string) string {
	switch t {
	case Int:
		if n, err := strconv.Atoi(v); err != nil || n < 0 {
			return fmt.Sprintf("%q is not a non-negative integer", v)
		}
	case Bool:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return fmt.Sprintf("%q is not true or false", v)
		}
	}
	return ""
}

// CompileAll compiles the definitions into a set keyed by keyword (Custom_<name>), for
// Resolve. It returns every rule's problems, joined.
func CompileAll(defs []probity.CustomRule) (map[string]*Rule, error) {
	out := make(map[string]*Rule, len(defs))
	var errs []error
	for i := range defs {
		r, err := Compile(&defs[i])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[r.ID] = r
	}
	return out, errors.Join(errs...)
}

// Resolve returns the rule an AWS_Config keyword names: a custom rule (Custom_<name>)
// from custom, keyed by keyword as CompileAll makes it, else a managed rule. It returns
// an ENOTFOUND *probity.Error when there is none.
func Resolve(keyword string, custom map[string]*Rule) (*Rule, error) {
	if strings.HasPrefix(keyword, probity.CustomRulePrefix) {
		if r := custom[keyword]; r != nil {
			return r, nil
		}
		return nil, &probity.Error{Code: probity.ENOTFOUND, Message: fmt.Sprintf("no custom rule %q (rules/*.yaml in the catalog define them)", keyword), Resource: "rule", ResourceID: keyword}
	}
	return Get(keyword)
}

// activation is what one evaluation's expressions see. It resolves its names lazily:
// resource is the item's CEL view (built once per item), params the rule's typed
// parameters (built once per set of values, see paramSet), so that an evaluation builds
// no map and a rule that never reads params never converts them.
type activation struct {
	res    *celResource
	args   Args
	ps     *paramSet
	params map[string]any // resolved on the first read of params
	now    time.Time
	steps  uint64 // comprehension steps so far (countSteps)
}

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "resource":
		return a.res.m, true
	case "params":
		if a.params == nil {
			a.params = a.ps.values(a.args)
		}
		return a.params, true
	case "now":
		return a.now, true
	case stepsName:
		return a, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

func newActivation(a Args, ps *paramSet, it *ci.Item, env Env, supp bool) (*activation, error) {
	res, err := ci.Cached(it, func(it *ci.Item) (*celResource, error) { return buildResource(it, supp) })
	if err != nil {
		return nil, err
	}
	if supp && !res.supp {
		// Built first by a rule that did not read supplementaryConfiguration.
		full, err := buildResource(it, true)
		if err != nil {
			return nil, err
		}
		*res = *full
	}
	return &activation{res: res, args: a, ps: ps, now: env.Now}, nil
}

// paramSet is a custom rule's declared parameters and the CEL value of the last
// arguments it converted: a check evaluates many items with the same arguments, so
// each evaluation compares the values (a few string comparisons) instead of building a
// map. The memo is immutable once stored, so concurrent evaluations may share it.
type paramSet struct {
	decl []Param
	memo atomic.Pointer[paramMemo]
}

type paramMemo struct {
	vals []string       // the arguments' values, in decl order ("" when unset)
	m    map[string]any // what params is for them; read-only
}

// values returns params for the arguments a: each set parameter typed as declared.
func (ps *paramSet) values(a Args) map[string]any {
	if m := ps.memo.Load(); m != nil && m.matches(a, ps.decl) {
		return m.m
	}
	memo := &paramMemo{vals: make([]string, len(ps.decl)), m: make(map[string]any, len(ps.decl))}
	for i, p := range ps.decl {
		memo.vals[i] = a[p.Name]
		if !a.Set(p.Name) {
			continue
		}
		switch p.Type {
		case Int:
			memo.m[p.Name] = int64(a.Int(p.Name))
		case Bool:
			memo.m[p.Name] = a.Bool(p.Name)
		case CSV:
			memo.m[p.Name] = a.List(p.Name)
		default:
			memo.m[p.Name] = a.Str(p.Name)
		}
	}
	ps.memo.Store(memo)
	return memo.m
}

func (m *paramMemo) matches(a Args, decl []Param) bool {
	for i, p := range decl {
		if a[p.Name] != m.vals[i] {
			return false
		}
	}
	return true
}

// celResource is the item as CEL sees it, built once per item (ci.Cached) and read-only
// after: every rule evaluating the item shares it. supp says whether
// supplementaryConfiguration was decoded (only rules that read it pay for that).
type celResource struct {
	m    map[string]any
	supp bool
}

func buildResource(it *ci.Item, supp bool) (*celResource, error) {
	doc, err := ci.Config[jsonDoc](it)
	if err != nil {
		return nil, err
	}
	var config any
	if doc != nil {
		config = doc.v
		if m, ok := config.(map[string]any); ok {
			config = newConfigMap(m)
		}
	}
	res := map[string]any{
		"resourceType":            it.ResourceType,
		"resourceId":              it.ResourceID,
		"resourceName":            it.ResourceName,
		"arn":                     it.ARN,
		"accountId":               it.AccountID,
		"awsRegion":               it.Region,
		"availabilityZone":        it.AvailabilityZone,
		"configurationItemStatus": it.Status,
		"configuration":           config,
		"tags":                    stringMap(it.Tags),
		"relationships":           relationships(it.Relationships),
	}
	if !it.CaptureTime.IsZero() {
		res["configurationItemCaptureTime"] = it.CaptureTime
	}
	if !it.ResourceCreationTime.IsZero() {
		res["resourceCreationTime"] = it.ResourceCreationTime
	}
	sm := map[string]any{}
	if supp {
		for k, raw := range it.Supplementary {
			u, err := ci.Unwrap(raw)
			if err != nil {
				// Not JSON text: the string as it is.
				var s string
				if json.Unmarshal(raw, &s) == nil {
					sm[k] = s
					continue
				}
				return nil, fmt.Errorf("supplementaryConfiguration.%s: %w", k, err)
			}
			if u == nil {
				continue
			}
			v, err := decodeJSON(u)
			if err != nil {
				return nil, fmt.Errorf("supplementaryConfiguration.%s: %w", k, err)
			}
			sm[k] = v
		}
	}
	res["supplementaryConfiguration"] = sm
	return &celResource{m: res, supp: supp}, nil
}

// configMap is an item's configuration object as CEL sees it: a CEL map over the JSON
// values, which also keeps what helpers derive from the whole configuration
// (ingressRules), so that every rule and every evaluation of the item shares one
// derivation. FindStringKey lets CEL's field selection read the Go map directly, as it
// does a plain map[string]any. Like the item, it is not safe for concurrent use.
type configMap struct {
	traits.Mapper
	m       map[string]any
	ingress ref.Val // ingressRules of the configuration, once built
}

func newConfigMap(m map[string]any) *configMap {
	return &configMap{Mapper: types.NewStringInterfaceMap(types.DefaultTypeAdapter, m), m: m}
}

// FindStringKey returns the member k as its Go value.
func (c *configMap) FindStringKey(k string) (any, bool) {
	v, ok := c.m[k]
	return v, ok
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func relationships(rs []ci.Relationship) []any {
	out := make([]any, len(rs))
	for i, r := range rs {
		out[i] = map[string]any{"resourceType": r.ResourceType, "resourceId": r.ResourceID,
			"resourceName": r.ResourceName, "relationshipName": r.RelationshipName}
	}
	return out
}

// jsonDoc is an item's configuration as CEL sees it: JSON values with whole numbers as
// int64 (so that fromPort == 22 holds), decoded once per item by ci.Config.
type jsonDoc struct{ v any }

func (d *jsonDoc) UnmarshalJSON(b []byte) error {
	v, err := decodeJSON(b)
	d.v = v
	return err
}

// decodeJSON decodes JSON into maps, lists, strings, bools, nil, and int64 or float64;
// null members of objects are left out.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return numbers(v), nil
}

func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k) // a null member is an absent one: has() is false, .?m.orValue(d) is d
				continue
			}
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	}
	return v
}

// boolResult returns an expression's boolean value, or an error naming what it gave.
func boolResult(member string, v ref.Val) (bool, error) {
	if b, ok := v.(types.Bool); ok {
		return bool(b), nil
	}
	if types.IsError(v) {
		return false, fmt.Errorf("%s: %v", member, v)
	}
	return false, fmt.Errorf("%s: gave %s, not a boolean", member, v.Type().TypeName())
}
