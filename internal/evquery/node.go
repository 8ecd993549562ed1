package evquery

import (
	"strings"
	"time"

	"github.com/probity-dev/probity"
)

// node is a condition of the syntax tree.
type node interface {
	eval(e *probity.Evidence) bool
	String() string
}

type andNode struct{ l, r node }
type orNode struct{ l, r node }
type notNode struct{ x node }

func (n andNode) eval(e *probity.Evidence) bool { return n.l.eval(e) && n.r.eval(e) }
func (n orNode) eval(e *probity.Evidence) bool  { return n.l.eval(e) || n.r.eval(e) }
func (n notNode) eval(e *probity.Evidence) bool { return !n.x.eval(e) }
func (n andNode) String() string                { return group(n.l, 2, false) + " AND " + group(n.r, 2, true) }
func (n orNode) String() string                 { return group(n.l, 1, false) + " OR " + group(n.r, 1, true) }
func (n notNode) String() string                { return "NOT " + group(n.x, 3, false) }

// group returns x as an operand of an operator of the precedence (OR 1, AND 2, NOT 3),
// parenthesised only where the parser needs it: so the canonical form nests no deeper
// than the statement it came from. The parser makes a right operand of the same
// operator only from parentheses, which are kept.
func group(x node, prec int, right bool) string {
	xp := 4
	switch x.(type) {
	case orNode:
		xp = 1
	case andNode:
		xp = 2
	case notNode:
		xp = 3
	}
	if xp < prec || right && xp == prec {
		return "(" + x.String() + ")"
	}
	return x.String()
}

// Predicate operators.
const (
	opEq      = "="
	opNe      = "!="
	opLt      = "<"
	opLe      = "<="
	opGt      = ">"
	opGe      = ">="
	opIn      = "IN"
	opLike    = "LIKE"
	opBetween = "BETWEEN"
	opIsNull  = "IS NULL"
)

// predNode tests one column: it holds when any of the column's values satisfies op.
type predNode struct {
	col   *column
	op    string
	args  []string    // the literals: one, two for BETWEEN, the list for IN, none for IS NULL
	times []time.Time // the literals as times, for the time column
}

func (n predNode) eval(e *probity.Evidence) bool {
	if n.col.time {
		if n.op == opIsNull {
			return e.Time.IsZero()
		}
		return n.evalTime(e.Time)
	}
	vals := n.col.values(e)
	if n.op == opIsNull {
		for _, v := range vals {
			if v != "" {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if n.evalString(v) {
			return true
		}
	}
	return false
}

func (n predNode) evalString(v string) bool {
	switch n.op {
	case opEq:
		return v == n.args[0]
	case opNe:
		return v != n.args[0]
	case opLt:
		return v < n.args[0]
	case opLe:
		return v <= n.args[0]
	case opGt:
		return v > n.args[0]
	case opGe:
		return v >= n.args[0]
	case opBetween:
		return n.args[0] <= v && v <= n.args[1]
	case opIn:
		for _, a := range n.args {
			if v == a {
				return true
			}
		}
		return false
	case opLike:
		return like(v, n.args[0])
	}
	return false
}

func (n predNode) evalTime(t time.Time) bool {
	c := func(i int) int { return t.Compare(n.times[i]) }
	switch n.op {
	case opEq:
		return c(0) == 0
	case opNe:
		return c(0) != 0
	case opLt:
		return c(0) < 0
	case opLe:
		return c(0) <= 0
	case opGt:
		return c(0) > 0
	case opGe:
		return c(0) >= 0
	case opBetween:
		return c(0) >= 0 && c(1) <= 0
	case opIn:
		for i := range n.times {
			if c(i) == 0 {
				return true
			}
		}
		return false
	case opLike:
		return like(t.UTC().Format(time.RFC3339Nano), n.args[0])
	}
	return false
}

func (n predNode) String() string {
	switch n.op {
	case opIsNull:
		return n.col.name + " IS NULL"
	case opBetween:
		return n.col.name + " BETWEEN " + quote(n.args[0]) + " AND " + quote(n.args[1])
	case opIn:
		q := make([]string, len(n.args))
		for i, a := range n.args {
			q[i] = quote(a)
		}
		return n.col.name + " IN (" + strings.Join(q, ", ") + ")"
	}
	return n.col.name + " " + n.op + " " + quote(n.args[0])
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// like reports whether s matches the pattern: % any run of characters, _ one character,
// everything else itself. It takes time proportional to len(s)·len(pattern) at worst.
func like(s, pattern string) bool {
	str, pat := []rune(s), []rune(pattern)
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(str) {
		switch {
		case pi < len(pat) && (pat[pi] == '_' || pat[pi] == str[si]) && pat[pi] != '%':
			si++
			pi++
		case pi < len(pat) && pat[pi] == '%':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi] == '%' {
		pi++
	}
	return pi == len(pat)
}
