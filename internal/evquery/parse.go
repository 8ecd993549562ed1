package evquery

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// token kinds.
const (
	tEOF    = iota
	tIdent  // a word: keyword or column
	tString // 'quoted', '' escapes a quote
	tNumber // digits, taken as their text
	tPunct  // ( ) , * and the comparison operators
)

type token struct {
	kind      int
	text      string // the identifier, the string's value, the number's digits, the operator
	line, col int
}

func (t token) is(kw string) bool { return t.kind == tIdent && strings.EqualFold(t.text, kw) }

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end of the statement"
	case tString:
		return "the string " + quote(t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// lex splits the statement into tokens, or returns where it cannot.
func lex(s string) ([]token, error) {
	var out []token
	line, col := 1, 1
	i := 0
	adv := func(n int) { // past n bytes of s[i:] that hold no newline
		col += utf8.RuneCountInString(s[i : i+n])
		i += n
	}
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return nil, &Error{line, col, "the statement is not UTF-8"}
		case r == '\n':
			line, col = line+1, 1
			i++
		case unicode.IsSpace(r):
			adv(size)
		case r == '\'':
			l, c := line, col
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, &Error{l, c, "the string is not closed (a quote inside a string is written '')"}
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			if !utf8.ValidString(s[i : j+1]) {
				return nil, &Error{l, c, "the statement is not UTF-8"}
			}
			// Newlines inside the string move the position on.
			for _, r := range s[i : j+1] {
				if r == '\n' {
					line, col = line+1, 1
				} else {
					col++
				}
			}
			i = j + 1
			out = append(out, token{tString, b.String(), l, c})
		case r == '_' || unicode.IsLetter(r):
			j := i
			for j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					break
				}
				j += n
			}
			out = append(out, token{tIdent, s[i:j], line, col})
			adv(j - i)
		case r >= '0' && r <= '9' || r == '-' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			out = append(out, token{tNumber, s[i:j], line, col})
			adv(j - i)
		default:
			op := ""
			for _, o := range []string{"<=", ">=", "<>", "!=", "=", "<", ">", "(", ")", ",", "*"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, &Error{line, col, fmt.Sprintf("unexpected character %q", r)}
			}
			text := op
			if op == "<>" {
				text = opNe
			}
			out = append(out, token{tPunct, text, line, col})
			adv(len(op))
		}
	}
	return append(out, token{tEOF, "", line, col}), nil
}

var comparisons = map[string]bool{opEq: true, opNe: true, opLt: true, opLe: true, opGt: true, opGe: true}

type parser struct {
	toks  []token
	pos   int
	depth int
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *parser) fail(t token, format string, args ...any) error {
	return &Error{t.line, t.col, fmt.Sprintf(format, args...)}
}

func (p *parser) expect(text string) error {
	t := p.next()
	if t.kind == tPunct && t.text == text || t.is(text) {
		return nil
	}
	return p.fail(t, "expected %s, found %s", text, t.describe())
}

// Parse returns the query of a statement, or an *Error saying where and what is wrong
// (an unknown column is named, with the columns there are). An empty statement or one
// longer than MaxLength is an error.
func Parse(s string) (*Query, error) {
	if len(s) > MaxLength {
		return nil, &Error{1, 1, fmt.Sprintf("the statement is longer than %d bytes", MaxLength)}
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tEOF {
		return nil, p.fail(p.peek(), "the statement is empty")
	}
	if p.peek().is("SELECT") {
		p.next()
		if err := p.expect("*"); err != nil {
			return nil, err
		}
		if err := p.expect("FROM"); err != nil {
			return nil, err
		}
		// The source: whatever name the caller gives it (an event data store's, an ARN
		// quoted); the assessment's evidence is what is read.
		if t := p.next(); t.kind != tIdent && t.kind != tString {
			return nil, p.fail(t, "expected the name to select from, found %s", t.describe())
		}
		if p.peek().kind == tEOF {
			return &Query{}, nil
		}
		if err := p.expect("WHERE"); err != nil {
			return nil, err
		}
	}
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.fail(t, "expected AND, OR or the end of the statement, found %s", t.describe())
	}
	return &Query{root: root}, nil
}

func (p *parser) or() (node, error) {
	l, err := p.and()
	for err == nil && p.peek().is("OR") {
		p.next()
		var r node
		if r, err = p.and(); err == nil {
			l = orNode{l, r}
		}
	}
	return l, err
}

func (p *parser) and() (node, error) {
	l, err := p.not()
	for err == nil && p.peek().is("AND") {
		p.next()
		var r node
		if r, err = p.not(); err == nil {
			l = andNode{l, r}
		}
	}
	return l, err
}

func (p *parser) not() (node, error) {
	if p.depth++; p.depth > maxDepth {
		return nil, p.fail(p.peek(), "the condition nests more than %d deep", maxDepth)
	}
	defer func() { p.depth-- }()
	t := p.peek()
	switch {
	case t.is("NOT"):
		p.next()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return notNode{x}, nil
	case t.kind == tPunct && t.text == "(":
		p.next()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return x, nil
	}
	return p.predicate()
}

func (p *parser) predicate() (node, error) {
	t := p.next()
	if t.kind != tIdent {
		return nil, p.fail(t, "expected a column, found %s", t.describe())
	}
	col := columns[strings.ToLower(t.text)]
	if col == nil {
		return nil, p.fail(t, "unknown column %q; the columns are %s", t.text, columnList())
	}
	n := predNode{col: col}
	negate := false
	op := p.next()
	if op.is("NOT") {
		negate = true
		op = p.next()
		if !op.is("IN") && !op.is("LIKE") && !op.is("BETWEEN") {
			return nil, p.fail(op, "expected IN, LIKE or BETWEEN after %s NOT, found %s", col.name, op.describe())
		}
	}
	switch {
	case op.kind == tPunct && comparisons[op.text]:
		n.op = op.text
		if err := p.literals(&n, 1); err != nil {
			return nil, err
		}
	case op.is("IN"):
		n.op = opIn
		if err := p.expect("("); err != nil {
			return nil, err
		}
		for {
			if err := p.literals(&n, 1); err != nil {
				return nil, err
			}
			if p.peek().kind == tPunct && p.peek().text == "," {
				p.next()
				continue
			}
			break
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
	case op.is("LIKE"):
		n.op = opLike
		lit := p.next()
		if lit.kind != tString {
			return nil, p.fail(lit, "%s LIKE needs a quoted pattern, found %s", col.name, lit.describe())
		}
		n.args = []string{lit.text}
	case op.is("BETWEEN"):
		n.op = opBetween
		if err := p.literals(&n, 1); err != nil {
			return nil, err
		}
		if err := p.expect("AND"); err != nil {
			return nil, err
		}
		if err := p.literals(&n, 1); err != nil {
			return nil, err
		}
	case op.is("IS"):
		n.op = opIsNull
		if p.peek().is("NOT") {
			p.next()
			negate = true
		}
		if err := p.expect("NULL"); err != nil {
			return nil, err
		}
	default:
		return nil, p.fail(op, "expected an operator after %s (=, !=, <>, <, <=, >, >=, IN, LIKE, BETWEEN, IS), found %s", col.name, op.describe())
	}
	var out node = n
	if negate {
		out = notNode{n}
	}
	return out, nil
}

// literals reads k literals into n: quoted strings or numbers, times for the time column.
func (p *parser) literals(n *predNode, k int) error {
	for range k {
		t := p.next()
		if t.kind != tString && t.kind != tNumber {
			return p.fail(t, "expected a quoted value for %s, found %s", n.col.name, t.describe())
		}
		if n.col.time {
			at, ok := parseTime(t.text)
			if !ok {
				return p.fail(t, "%s compares with a time: %s is not an RFC 3339 time (2024-05-01T12:00:00Z) or a date (2024-05-01)", n.col.name, t.describe())
			}
			n.times = append(n.times, at)
		}
		n.args = append(n.args, t.text)
	}
	return nil
}
