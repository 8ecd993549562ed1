package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/checker"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"

	"github.com/probity-dev/probity/internal/ci"
)

// celEnv declares what custom rules' expressions see (see custom.go) and the helpers:
//
//	policyPublic(doc) bool         an Allow statement to everyone ("*", AWS "*") without a
//	                               condition that confines the caller (ci.Statement.Public)
//	policyAdmin(doc) bool          an Allow statement of Action "*" on Resource "*"
//	policyAllows(doc, action) bool an Allow statement covers action (IAM wildcards, NotAction)
//	policyStatements(doc) list     the statements, with Action, Resource, Principal values as
//	                               lists and Condition as operator -> key -> list
//	cidrOpen(cidr) bool            0.0.0.0/0 or ::/0
//	cidrContains(cidr, ip) bool    the network holds the address or the whole network ip
//	portInRange(port, from, to)    from <= port <= to; -1 for from or to means every port
//	ingressRules(configuration)    a security group's ipPermissions, old and new range forms
//	                               merged: {protocol, fromPort, toPort, cidrs}; protocol is
//	                               tcp, udp, icmp or all (for -1, 6, 17, 1), and a rule over
//	                               every port has fromPort 0 and toPort 65535
//	time(value) timestamp          an RFC 3339 string or epoch seconds or milliseconds
//	days(n) duration               n days
//	ageDays(t, now) int            whole days from t to now
//
// A policy document (doc) may be an object, a JSON string or a URL-encoded JSON string, as
// AWS Config and IAM store them.
var celEnv = func() *cel.Env {
	dyn, str, b, i := cel.DynType, cel.StringType, cel.BoolType, cel.IntType
	env, err := cel.NewEnv(
		cel.Variable("resource", cel.MapType(str, dyn)),
		cel.Variable("params", cel.MapType(str, dyn)),
		cel.Variable("now", cel.TimestampType),
		cel.CrossTypeNumericComparisons(true),
		cel.OptionalTypes(),
		ext.Strings(),
		ext.Bindings(),
		cel.Function("policyPublic", cel.Overload("policyPublic_dyn", []*cel.Type{dyn}, b,
			cel.UnaryBinding(policyFunc(func(d *ci.PolicyDocument) ref.Val {
				for _, s := range d.Statement {
					if s.Public() {
						return types.True
					}
				}
				return types.False
			})))),
		cel.Function("policyAdmin", cel.Overload("policyAdmin_dyn", []*cel.Type{dyn}, b,
			cel.UnaryBinding(policyFunc(func(d *ci.PolicyDocument) ref.Val {
				for _, s := range d.Statement {
					if s.FullAdmin() {
						return types.True
					}
				}
				return types.False
			})))),
		cel.Function("policyAllows", cel.Overload("policyAllows_dyn_string", []*cel.Type{dyn, str}, b,
			cel.BinaryBinding(func(doc, action ref.Val) ref.Val {
				a, ok := action.(types.String)
				if !ok {
					return types.MaybeNoSuchOverloadErr(action)
				}
				return policyFunc(func(d *ci.PolicyDocument) ref.Val {
					for _, s := range d.Statement {
						if s.Allow() && s.ActionMatches(string(a)) {
							return types.True
						}
					}
					return types.False
				})(doc)
			}))),
		cel.Function("policyStatements", cel.Overload("policyStatements_dyn", []*cel.Type{dyn}, cel.ListType(dyn),
			cel.UnaryBinding(policyFunc(func(d *ci.PolicyDocument) ref.Val {
				out := make([]any, len(d.Statement))
				for k, s := range d.Statement {
					out[k] = statementValue(s)
				}
				return types.DefaultTypeAdapter.NativeToValue(out)
			})))),
		cel.Function("cidrOpen", cel.Overload("cidrOpen_string", []*cel.Type{str}, b,
			cel.UnaryBinding(func(v ref.Val) ref.Val {
				s, ok := v.(types.String)
				if !ok {
					return types.MaybeNoSuchOverloadErr(v)
				}
				return types.Bool(s == "0.0.0.0/0" || s == "::/0")
			}))),
		cel.Function("cidrContains", cel.Overload("cidrContains_string_string", []*cel.Type{str, str}, b,
			cel.BinaryBinding(cidrContains))),
		cel.Function("portInRange", cel.Overload("portInRange_int_int_int", []*cel.Type{i, i, i}, b,
			cel.FunctionBinding(func(args ...ref.Val) ref.Val {
				var n [3]int64
				for k, a := range args {
					x, ok := a.(types.Int)
					if !ok {
						return types.MaybeNoSuchOverloadErr(a)
					}
					n[k] = int64(x)
				}
				port, from, to := n[0], n[1], n[2]
				return types.Bool(from == -1 || to == -1 || (from <= port && port <= to))
			}))),
		cel.Function("ingressRules", cel.Overload("ingressRules_dyn", []*cel.Type{dyn}, cel.ListType(dyn),
			cel.UnaryBinding(ingressRules))),
		cel.Function("time", cel.Overload("time_dyn", []*cel.Type{dyn}, cel.TimestampType,
			cel.UnaryBinding(toTime))),
		cel.Function("days", cel.Overload("days_int", []*cel.Type{i}, cel.DurationType,
			cel.UnaryBinding(func(v ref.Val) ref.Val {
				n, ok := v.(types.Int)
				if !ok {
					return types.MaybeNoSuchOverloadErr(v)
				}
				if int64(n) > math.MaxInt64/int64(24*time.Hour) || int64(n) < math.MinInt64/int64(24*time.Hour) {
					return types.NewErr("days(%d): out of range", n)
				}
				return types.Duration{Duration: time.Duration(n) * 24 * time.Hour}
			}))),
		cel.Function("ageDays", cel.Overload("ageDays_timestamp_timestamp", []*cel.Type{cel.TimestampType, cel.TimestampType}, i,
			cel.BinaryBinding(func(t, now ref.Val) ref.Val {
				a, ok1 := t.(types.Timestamp)
				z, ok2 := now.(types.Timestamp)
				if !ok1 || !ok2 {
					return types.MaybeNoSuchOverloadErr(t)
				}
				return types.Int(int64(z.Sub(a.Time) / (24 * time.Hour)))
			}))),
	)
	if err != nil {
		panic("rules: CEL environment: " + err.Error())
	}
	return env
}()

// program is one compiled expression.
type program struct {
	member string
	prg    cel.Program
}

func (p *program) eval(act *activation) (bool, error) {
	v, _, err := p.prg.Eval(act)
	if err != nil {
		if c, ok := errors.AsType[interpreter.EvalCancelledError](err); ok && c.Cause == interpreter.CostLimitExceeded {
			return false, fmt.Errorf("%s: stopped at the cost limit of custom rules (%d comprehension steps per evaluation; docs/rules.md)", p.member, CostLimit)
		}
		return false, fmt.Errorf("%s: %w", p.member, err)
	}
	return boolResult(p.member, v)
}

// compileExpr parses and checks one expression, adding its problems to cerr. limit is
// its runtime cost limit (0: none).
func compileExpr(member, src string, declared map[string]bool, limit uint64, cerr *CompileError) *program {
	before := len(cerr.Problems)
	ast, iss := celEnv.Compile(src)
	if iss != nil && iss.Err() != nil {
		for _, e := range iss.Errors() {
			p := Problem{Field: member, Message: e.Message}
			if e.Location != nil && e.Location.Line() > 0 {
				p.Line, p.Col = e.Location.Line(), e.Location.Column()+1
			}
			cerr.Problems = append(cerr.Problems, p)
		}
		return nil
	}
	if t := ast.OutputType(); !t.IsExactType(cel.BoolType) && !t.IsExactType(cel.DynType) {
		cerr.Problems = append(cerr.Problems, Problem{Field: member, Line: 1, Col: 1,
			Message: fmt.Sprintf("must be a boolean expression, this one gives %s", t)})
	}
	// params is a map so that absent parameters can be tested with has(); a name that
	// no parameter has is a mistake the checker cannot see, so look for it here.
	native := ast.NativeRep()
	celast.PreOrderVisit(celast.NavigateAST(native), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() != celast.SelectKind {
			return
		}
		sel := e.AsSelect()
		if op := sel.Operand(); op.Kind() != celast.IdentKind || op.AsIdent() != "params" || declared[sel.FieldName()] {
			return
		}
		p := Problem{Field: member, Message: fmt.Sprintf("params.%s: no parameter is named %s", sel.FieldName(), sel.FieldName())}
		if loc := native.SourceInfo().GetStartLocation(sel.Operand().ID()); loc.Line() > 0 {
			p.Line, p.Col = loc.Line(), loc.Column()+1
		}
		cerr.Problems = append(cerr.Problems, p)
	}))
	if len(cerr.Problems) > before {
		return nil
	}
	opts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
	if limit > 0 && !boundedBy(ast, limit) {
		opts = append(opts, cel.CustomDecoratorV2(countSteps(native, limit)))
	}
	prg, err := celEnv.Program(ast, opts...)
	if err != nil {
		cerr.Problems = append(cerr.Problems, Problem{Field: member, Message: err.Error()})
		return nil
	}
	return &program{member: member, prg: prg}
}

// The runtime bound of custom rules. CEL's own cost tracking (cel.CostLimit) watches
// every node of every evaluation; measured on the example rules it made an evaluation
// 1.4 to 2.5 times slower and doubled its allocations (docs/benchmarks.md). What can make
// an expression spin is iteration: comprehensions (all, exists, exists_one, map,
// filter), nested over the item's lists. So a custom rule's expression counts the steps
// of its comprehensions, all of them together, in the activation, and an evaluation that
// goes past CostLimit steps stops with an error. Between two steps the work is bounded
// by the expression's size and the item's (no loop can hide there), so the bound holds
// for the evaluation as a whole. Expressions that CEL's cost estimate shows cannot
// iterate much (boundedBy) are not instrumented at all.

// stepsName is the name under which the activation answers with itself, so that the
// counting steps find it through the comprehensions' scopes. CEL identifiers cannot
// hold '@', so no expression can read it.
const stepsName = "@probity.steps"

// countSteps returns a decorator that makes each comprehension's loop step of the
// expression count in the evaluation's activation, and stop the evaluation (CEL turns
// the panic into the evaluation's error) past limit steps.
func countSteps(a *celast.AST, limit uint64) func(interpreter.InterpretableV2) (interpreter.InterpretableV2, error) {
	steps := map[int64]bool{}
	celast.PreOrderVisit(celast.NavigateAST(a), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.ComprehensionKind {
			steps[e.AsComprehension().LoopStep().ID()] = true
		}
	}))
	return func(i interpreter.InterpretableV2) (interpreter.InterpretableV2, error) {
		if !steps[i.ID()] {
			return i, nil
		}
		return &countedStep{InterpretableV2: i, limit: limit}, nil
	}
}

// countedStep is a comprehension's loop step that counts itself.
type countedStep struct {
	interpreter.InterpretableV2
	limit uint64
}

func (s *countedStep) Exec(f *interpreter.ExecutionFrame) ref.Val {
	s.count(f)
	return s.InterpretableV2.Exec(f)
}

func (s *countedStep) Eval(vars interpreter.Activation) ref.Val {
	s.count(vars)
	return s.InterpretableV2.Eval(vars)
}

func (s *countedStep) count(vars interpreter.Activation) {
	v, _ := vars.ResolveName(stepsName)
	act, ok := v.(*activation)
	if !ok {
		return
	}
	act.steps++
	if act.steps > s.limit {
		panic(interpreter.EvalCancelledError{Cause: interpreter.CostLimitExceeded,
			Message: fmt.Sprintf("operation cancelled: more than %d comprehension steps", s.limit)})
	}
}

// boundedBy reports whether CEL's cost estimate shows that the expression cannot cost
// more than limit on any item whose strings, lists and maps have at most sizeHint
// bytes or elements. Such an expression has no comprehension over a long list of the
// item, let alone nested ones, so on a larger item its work grows with the item's
// size, never faster: it cannot spin, and its steps need no counting.
func boundedBy(a *cel.Ast, limit uint64) bool {
	est, err := celEnv.EstimateCost(a, sizeHints{})
	return err == nil && est.Max <= limit
}

// sizeHint is the largest string, list or map the cost estimate assumes (see boundedBy).
const sizeHint = 1 << 16

// sizeHints is a cost estimator that bounds every size by sizeHint.
type sizeHints struct{}

func (sizeHints) EstimateSize(checker.AstNode) *checker.SizeEstimate {
	return &checker.SizeEstimate{Min: 0, Max: sizeHint}
}

func (sizeHints) EstimateCallCost(string, string, *checker.AstNode, []checker.AstNode) *checker.CallEstimate {
	return nil
}

// native returns the Go value behind a CEL value: maps as map[string]any, lists as
// []any, scalars as themselves.
func native(v ref.Val) (any, error) {
	switch x := v.Value().(type) {
	case map[string]any, []any, string, bool, int64, float64, nil:
		return x, nil
	}
	switch v.Type() {
	case types.MapType:
		return v.ConvertToNative(reflect.TypeFor[map[string]any]())
	case types.ListType:
		return v.ConvertToNative(reflect.TypeFor[[]any]())
	case types.NullType:
		return nil, nil
	}
	return v.ConvertToNative(reflect.TypeFor[any]())
}

// policyFunc adapts fn to a CEL function of a policy document. Documents given as text
// (how AWS Config and IAM store them) are parsed once and kept in a bounded cache, as
// the same policy is read by many rules and items.
func policyFunc(fn func(*ci.PolicyDocument) ref.Val) func(ref.Val) ref.Val {
	return func(v ref.Val) ref.Val {
		d, err := policyOf(v)
		if err != nil {
			return types.NewErr("policy document: %v", err)
		}
		return fn(d)
	}
}

var policies = struct {
	sync.Mutex
	m map[string]*ci.PolicyDocument
}{m: map[string]*ci.PolicyDocument{}}

const maxPolicies = 4096

func policyOf(v ref.Val) (*ci.PolicyDocument, error) {
	if s, ok := v.(types.String); ok {
		policies.Lock()
		d := policies.m[string(s)]
		policies.Unlock()
		if d != nil {
			return d, nil
		}
		b, _ := json.Marshal(string(s))
		d = new(ci.PolicyDocument)
		if err := d.UnmarshalJSON(b); err != nil {
			return nil, err
		}
		policies.Lock()
		if len(policies.m) >= maxPolicies {
			clear(policies.m)
		}
		policies.m[string(s)] = d
		policies.Unlock()
		return d, nil
	}
	x, err := native(v)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	d := new(ci.PolicyDocument)
	if err := d.UnmarshalJSON(b); err != nil {
		return nil, err
	}
	return d, nil
}

func statementValue(s ci.Statement) map[string]any {
	list := func(ss ci.Strings) []any {
		out := make([]any, len(ss))
		for i, v := range ss {
			out[i] = v
		}
		return out
	}
	principal := func(p ci.Principal) map[string]any {
		out := make(map[string]any, len(p))
		for k, v := range p {
			out[k] = list(v)
		}
		return out
	}
	cond := make(map[string]any, len(s.Condition))
	for op, keys := range s.Condition {
		m := make(map[string]any, len(keys))
		for k, v := range keys {
			m[k] = list(v)
		}
		cond[op] = m
	}
	return map[string]any{
		"Sid": s.Sid, "Effect": s.Effect,
		"Principal": principal(s.Principal), "NotPrincipal": principal(s.NotPrincipal),
		"Action": list(s.Action), "NotAction": list(s.NotAction),
		"Resource": list(s.Resource), "NotResource": list(s.NotResource),
		"Condition": cond,
	}
}

func cidrContains(cidr, addr ref.Val) ref.Val {
	c, ok1 := cidr.(types.String)
	a, ok2 := addr.(types.String)
	if !ok1 || !ok2 {
		return types.MaybeNoSuchOverloadErr(cidr)
	}
	net, err := netip.ParsePrefix(string(c))
	if err != nil {
		return types.NewErr("cidrContains: %q is not a CIDR", string(c))
	}
	net = net.Masked()
	if strings.Contains(string(a), "/") {
		sub, err := netip.ParsePrefix(string(a))
		if err != nil {
			return types.NewErr("cidrContains: %q is not a CIDR", string(a))
		}
		return types.Bool(sub.Bits() >= net.Bits() && net.Contains(sub.Masked().Addr()))
	}
	ip, err := netip.ParseAddr(string(a))
	if err != nil {
		return types.NewErr("cidrContains: %q is not an IP address", string(a))
	}
	return types.Bool(net.Contains(ip))
}

// ingressRules reads a security group configuration's ipPermissions as ci.IPPermission
// does, straight from the JSON values. An item's configuration (configMap) keeps the
// result, so it is built once per item however many rules and evaluations ask.
func ingressRules(v ref.Val) ref.Val {
	if c, ok := v.(*configMap); ok {
		if c.ingress == nil {
			c.ingress = buildIngressRules(c)
		}
		return c.ingress
	}
	return buildIngressRules(v)
}

func buildIngressRules(v ref.Val) ref.Val {
	x, err := native(v)
	if err != nil {
		return types.NewErr("ingressRules: %v", err)
	}
	cfg, _ := x.(map[string]any)
	perms, _ := cfg["ipPermissions"].([]any)
	out := make([]ref.Val, 0, len(perms))
	for _, raw := range perms {
		pm, ok := raw.(map[string]any)
		if !ok {
			return types.NewErr("ingressRules: ipPermissions holds %T, not an object", raw)
		}
		p := ci.IPPermission{FromPort: -1, ToPort: -1}
		p.IPProtocol, _ = pm["ipProtocol"].(string)
		p.IPProtocol = strings.ToLower(p.IPProtocol)
		if n, ok := pm["fromPort"].(int64); ok {
			p.FromPort = int(n)
		}
		if n, ok := pm["toPort"].(int64); ok {
			p.ToPort = int(n)
		}
		var cidrs []string
		add := func(c any) {
			if s, ok := c.(string); ok && s != "" && !slices.Contains(cidrs, s) {
				cidrs = append(cidrs, s)
			}
		}
		for _, r := range asList(pm["ipRanges"]) {
			if m, ok := r.(map[string]any); ok {
				add(m["cidrIp"])
			} else {
				add(r)
			}
		}
		for _, r := range asList(pm["ipv4Ranges"]) {
			if m, ok := r.(map[string]any); ok {
				add(m["cidrIp"])
			}
		}
		for _, r := range asList(pm["ipv6Ranges"]) {
			if m, ok := r.(map[string]any); ok {
				add(m["cidrIpv6"])
			}
		}
		from, to := p.Ports()
		r := &ingressRule{protocol: types.String(p.Protocol()), fromPort: types.Int(from), toPort: types.Int(to),
			cidrs: types.NewStringList(types.DefaultTypeAdapter, cidrs)}
		r.Mapper = types.NewStringInterfaceMap(types.DefaultTypeAdapter, map[string]any{
			"protocol": r.protocol, "fromPort": r.fromPort, "toPort": r.toPort, "cidrs": r.cidrs})
		out = append(out, r)
	}
	return types.NewRefValList(types.DefaultTypeAdapter, out)
}

// ingressRule is one element of ingressRules: a CEL map whose members field selection
// reads from struct fields, already CEL values, instead of hashing into a map.
type ingressRule struct {
	traits.Mapper
	protocol         types.String
	fromPort, toPort types.Int
	cidrs            ref.Val
}

// FindStringKey returns the member k.
func (r *ingressRule) FindStringKey(k string) (any, bool) {
	switch k {
	case "protocol":
		return r.protocol, true
	case "fromPort":
		return r.fromPort, true
	case "toPort":
		return r.toPort, true
	case "cidrs":
		return r.cidrs, true
	}
	return nil, false
}

func asList(v any) []any { l, _ := v.([]any); return l }

func toTime(v ref.Val) ref.Val {
	switch x := v.(type) {
	case types.Timestamp:
		return x
	case types.String:
		t, err := time.Parse(time.RFC3339Nano, string(x))
		if err != nil {
			return types.NewErr("time(%q): not RFC 3339", string(x))
		}
		return types.Timestamp{Time: t}
	case types.Int:
		return types.Timestamp{Time: epoch(float64(x))}
	case types.Double:
		return types.Timestamp{Time: epoch(float64(x))}
	}
	return types.NewErr("time: want a string or a number, got %s", v.Type().TypeName())
}

// epoch reads seconds, or milliseconds when the number is too large to be seconds.
func epoch(f float64) time.Time {
	if f > 1e11 {
		f /= 1000
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
}
