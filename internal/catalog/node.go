package catalog

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Limits on one input file. They keep a hostile or broken file from costing more than a
// bounded amount of time and memory.
const (
	MaxFileSize  = 1 << 20 // bytes
	maxDepth     = 64      // nesting of mappings and sequences
	maxNodes     = 200_000 // values after expanding aliases (a "billion laughs" stops here)
	maxLineWidth = 64 << 10
)

type nodeKind int

const (
	nullNode nodeKind = iota
	scalarNode
	mappingNode
	sequenceNode
)

// node is a parsed YAML or JSON value with the position of its first character. Aliases
// share the node of their anchor.
type node struct {
	kind   nodeKind
	pos    Pos
	text   string // scalars: the value as written, quotes removed
	typ    string // scalars: string, integer, float, boolean
	keys   []*node
	values []*node
	items  []*node
	size   int // nodes in this subtree with aliases expanded, saturating at maxNodes+1
}

// describe names the node's kind for type errors.
func (n *node) describe() string {
	switch n.kind {
	case nullNode:
		return "null"
	case mappingNode:
		return "a mapping"
	case sequenceNode:
		return "a list"
	}
	if n.typ == "string" {
		return "a string"
	}
	return "a " + n.typ
}

// get returns the value of key in a mapping, or nil.
func (n *node) get(key string) (k, v *node) {
	for i, kn := range n.keys {
		if kn.text == key {
			return kn, n.values[i]
		}
	}
	return nil, nil
}

// syntaxError is a problem found before the document could be read as values.
type syntaxError struct {
	pos Pos
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// parse reads one YAML or JSON document. It returns a *syntaxError for anything that is
// not a single well-formed document within the limits.
func parse(data []byte) (*node, error) {
	if len(data) > MaxFileSize {
		return nil, &syntaxError{msg: fmt.Sprintf("file is larger than the limit of %d bytes", MaxFileSize)}
	}
	if err := checkText(data); err != nil {
		return nil, err
	}
	tokens := lexer.Tokenize(string(data))
	if err := checkDepth(tokens); err != nil {
		return nil, err
	}
	file, err := parser.Parse(tokens, 0)
	if err != nil {
		return nil, fromParserError(err)
	}
	var docs []*ast.DocumentNode
	for _, d := range file.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch len(docs) {
	case 0:
		return nil, &syntaxError{msg: "file is empty"}
	case 1:
	default:
		return nil, &syntaxError{pos: tokenPos(docs[1].Start), msg: "file holds more than one document; put one control or framework in each file"}
	}
	c := converter{anchors: map[string]*node{}}
	n, err := c.convert(docs[0].Body, 0)
	if err != nil {
		return nil, err
	}
	return n, nil
}

// checkText rejects input that is not UTF-8 text with lines of a sane width.
func checkText(data []byte) error {
	line, col, width := 1, 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return &syntaxError{pos: Pos{line, col}, msg: "file is not valid UTF-8 text"}
		case r == 0:
			return &syntaxError{pos: Pos{line, col}, msg: "file holds a NUL byte; it is not text"}
		case r == '\n':
			line, col, width = line+1, 1, 0
		default:
			col++
			width += size
			if width > maxLineWidth {
				return &syntaxError{pos: Pos{line, 1}, msg: fmt.Sprintf("line is longer than %d bytes", maxLineWidth)}
			}
		}
		i += size
	}
	return nil
}

// checkDepth rejects token streams nested too deeply for the recursive parser to be
// safe with: flow collections by their brackets, block collections by the indicators
// stacked on one line ("- - - x"). Block nesting by indentation is bounded by the line
// width and file size limits.
func checkDepth(tokens token.Tokens) error {
	depth, line, stacked := 0, 0, 0
	for _, t := range tokens {
		if t.Position.Line != line {
			line, stacked = t.Position.Line, 0
		}
		switch t.Type {
		case token.SequenceStartType, token.MappingStartType:
			depth++
		case token.SequenceEndType, token.MappingEndType:
			depth--
		case token.SequenceEntryType, token.MappingKeyType, token.MappingValueType:
			stacked++
		}
		if depth+stacked > maxDepth {
			return &syntaxError{pos: tokenPos(t), msg: fmt.Sprintf("values are nested more than %d deep", maxDepth)}
		}
	}
	return nil
}

// fromParserError keeps the parser's message and position, without its source excerpt.
func fromParserError(err error) error {
	var ye interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if errors.As(err, &ye) {
		msg := ye.GetMessage()
		if msg == "" {
			msg = "YAML syntax error"
		}
		return &syntaxError{pos: tokenPos(ye.GetToken()), msg: "syntax error: " + msg}
	}
	return &syntaxError{msg: "syntax error: " + firstLine(err.Error())}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

func tokenPos(t *token.Token) Pos {
	if t == nil || t.Position == nil {
		return Pos{}
	}
	return Pos{t.Position.Line, t.Position.Column}
}

// converter turns the parser's tree into nodes, resolving anchors, aliases and merge
// keys and counting the expanded size.
type converter struct {
	anchors map[string]*node
	total   int
}

func (c *converter) convert(n ast.Node, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, &syntaxError{pos: tokenPos(n.GetToken()), msg: fmt.Sprintf("values are nested more than %d deep", maxDepth)}
	}
	out, err := c.convertNode(n, depth)
	if err != nil {
		return nil, err
	}
	c.total += 1
	if c.total > maxNodes || out.size > maxNodes {
		return nil, &syntaxError{pos: tokenPos(n.GetToken()), msg: fmt.Sprintf("file expands to more than %d values (check for alias loops or alias bombs)", maxNodes)}
	}
	return out, nil
}

func (c *converter) convertNode(n ast.Node, depth int) (*node, error) {
	pos := tokenPos(n.GetToken())
	switch n := n.(type) {
	case *ast.NullNode:
		return &node{kind: nullNode, pos: pos, size: 1}, nil
	case *ast.StringNode:
		return &node{kind: scalarNode, pos: pos, text: n.Value, typ: "string", size: 1}, nil
	case *ast.LiteralNode:
		return &node{kind: scalarNode, pos: pos, text: n.Value.Value, typ: "string", size: 1}, nil
	case *ast.IntegerNode:
		return &node{kind: scalarNode, pos: pos, text: n.GetToken().Value, typ: "integer", size: 1}, nil
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return &node{kind: scalarNode, pos: pos, text: n.GetToken().Value, typ: "float", size: 1}, nil
	case *ast.BoolNode:
		return &node{kind: scalarNode, pos: pos, text: n.GetToken().Value, typ: "boolean", size: 1}, nil
	case *ast.TagNode:
		return c.convertTag(n, depth)
	case *ast.AnchorNode:
		v, err := c.convert(n.Value, depth)
		if err != nil {
			return nil, err
		}
		c.anchors[n.Name.GetToken().Value] = v
		return v, nil
	case *ast.AliasNode:
		name := n.Value.GetToken().Value
		v, ok := c.anchors[name]
		if !ok {
			return nil, &syntaxError{pos: pos, msg: fmt.Sprintf("alias *%s names no anchor defined before it", name)}
		}
		return v, nil
	case *ast.MappingNode:
		return c.convertMapping(pos, n.IsFlowStyle, n.Values, depth)
	case *ast.MappingValueNode:
		return c.convertMapping(pos, false, []*ast.MappingValueNode{n}, depth)
	case *ast.SequenceNode:
		out := &node{kind: sequenceNode, pos: pos, size: 1}
		for _, item := range n.Values {
			v, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, v)
			out.size = addSize(out.size, v.size)
		}
		return out, nil
	case *ast.CommentGroupNode, *ast.CommentNode:
		return &node{kind: nullNode, pos: pos, size: 1}, nil
	}
	return nil, &syntaxError{pos: pos, msg: fmt.Sprintf("unsupported YAML construct (%s)", n.Type())}
}

func (c *converter) convertTag(n *ast.TagNode, depth int) (*node, error) {
	v, err := c.convert(n.Value, depth)
	if err != nil {
		return nil, err
	}
	switch tag := n.Start.Value; tag {
	case "!!str":
		if v.kind != scalarNode {
			return nil, &syntaxError{pos: tokenPos(n.Start), msg: "!!str applies to single values only"}
		}
		cp := *v
		cp.typ = "string"
		return &cp, nil
	case "!!map", "!!seq", "!!int", "!!float", "!!bool", "!!null":
		return v, nil
	default:
		return nil, &syntaxError{pos: tokenPos(n.Start), msg: fmt.Sprintf("tag %s is not supported", tag)}
	}
}

func (c *converter) convertMapping(pos Pos, flow bool, entries []*ast.MappingValueNode, depth int) (*node, error) {
	out := &node{kind: mappingNode, pos: pos, size: 1}
	var merges []*node
	for _, e := range entries {
		v, err := c.convert(e.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if _, isMerge := e.Key.(*ast.MergeKeyNode); isMerge {
			merges = append(merges, v)
			continue
		}
		k, err := c.convert(e.Key, depth+1)
		if err != nil {
			return nil, err
		}
		if k.kind != scalarNode {
			return nil, &syntaxError{pos: k.pos, msg: "mapping keys must be plain strings"}
		}
		if prev, _ := out.get(k.text); prev != nil {
			return nil, &syntaxError{pos: k.pos, msg: fmt.Sprintf("key %q appears twice in this mapping (first at line %d)", k.text, prev.pos.Line)}
		}
		out.keys = append(out.keys, k)
		out.values = append(out.values, v)
		out.size = addSize(out.size, v.size+1)
	}
	if !flow && len(out.keys) > 0 {
		// A block mapping starts at its first key (the parser points at the colon).
		out.pos = out.keys[0].pos
	}
	// Merge keys (<<: *base) add the entries the mapping does not set itself.
	for _, m := range merges {
		srcs := []*node{m}
		if m.kind == sequenceNode {
			srcs = m.items
		}
		for _, src := range srcs {
			if src.kind != mappingNode {
				return nil, &syntaxError{pos: src.pos, msg: "<< merges mappings only"}
			}
			for i, k := range src.keys {
				if prev, _ := out.get(k.text); prev == nil {
					out.keys = append(out.keys, k)
					out.values = append(out.values, src.values[i])
					out.size = addSize(out.size, src.values[i].size+1)
				}
			}
		}
	}
	return out, nil
}

func addSize(a, b int) int { return min(a+b, maxNodes+1) }
