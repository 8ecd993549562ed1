package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
	"go.yaml.in/yaml/v3"

	"github.com/probity-dev/probity"
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
//
// go.yaml.in/yaml/v3 does the parsing: it is about twice as fast as goccy/go-yaml here
// and allocates a third as much. Its syntax errors carry a line only, so a file it
// rejects is parsed again by goccy/go-yaml for the column (see docs/decisions).
func parse(data []byte) (n *node, err error) {
	if len(data) > MaxFileSize {
		return nil, &syntaxError{msg: fmt.Sprintf("file is larger than the limit of %d bytes", MaxFileSize)}
	}
	if err := checkText(data); err != nil {
		return nil, err
	}
	defer func() {
		// Both parsers meet hostile input here; a bug in either must cost one file, not
		// the process.
		if r := recover(); r != nil {
			n, err = nil, &syntaxError{msg: "the YAML parser failed on this file"}
		}
	}()
	var doc yaml.Node
	if !maybeMultiDocument(data) {
		// The common case: parse straight from the bytes.
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, syntaxErrorAt(data, err)
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, &syntaxError{msg: "file is empty"}
			}
			return nil, syntaxErrorAt(data, err)
		}
		var second yaml.Node
		if err := dec.Decode(&second); !errors.Is(err, io.EOF) {
			if err != nil {
				return nil, syntaxErrorAt(data, err)
			}
			return nil, &syntaxError{pos: Pos{second.Line, second.Column}, msg: "file holds more than one document; put one control or framework in each file"}
		}
	}
	if len(doc.Content) == 0 {
		return nil, &syntaxError{msg: "file is empty"}
	}
	var c converter
	return c.convert(doc.Content[0], 0)
}

// maybeMultiDocument reports whether a document marker (--- or ...) starts a line after
// the first: only then can the file hold a second document.
func maybeMultiDocument(data []byte) bool {
	for i := bytes.IndexByte(data, '\n'); i >= 0 && i+1 < len(data); {
		rest := data[i+1:]
		if bytes.HasPrefix(rest, []byte("---")) || bytes.HasPrefix(rest, []byte("...")) {
			return true
		}
		j := bytes.IndexByte(rest, '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxErrorAt places a parser error: goccy/go-yaml gives line and column; failing
// that, the line from go.yaml.in/yaml/v3's own message.
func syntaxErrorAt(data []byte, err error) *syntaxError {
	if _, gerr := parser.ParseBytes(data, 0); gerr != nil {
		var ye interface {
			GetToken() *token.Token
			GetMessage() string
		}
		if errors.As(gerr, &ye) && ye.GetToken() != nil && ye.GetMessage() != "" {
			return &syntaxError{pos: tokenPos(ye.GetToken()), msg: "syntax error: " + ye.GetMessage()}
		}
	}
	msg := firstLine(err.Error())
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &syntaxError{pos: Pos{line, 1}, msg: "syntax error: " + m[2]}
	}
	return &syntaxError{msg: "syntax error: " + strings.TrimPrefix(msg, "yaml: ")}
}

// checkText rejects input that is not UTF-8 text with lines of a sane width. Files are
// free text by the domain's rules (probity.FreeText), with CR for CRLF line ends; a
// character no member may hold is refused where it is, escapes included (the domain's
// Validate sees those).
func checkText(data []byte) error {
	line, col, width := 1, 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return &syntaxError{pos: Pos{line, col}, msg: "file is not valid UTF-8 text"}
		case r == 0:
			return &syntaxError{pos: Pos{line, col}, msg: "file holds a NUL byte; it is not text"}
		case r != '\r' && !probity.AllowedRune(r, probity.FreeText):
			return &syntaxError{pos: Pos{line, col}, msg: "file " + probity.CheckText(string(r), probity.FreeText)}
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

// converter turns the parser's tree into nodes, resolving aliases and merge keys and
// counting the expanded size. Each parser node is converted once; aliases share it.
type converter struct {
	done  map[*yaml.Node]*node
	total int
}

func (c *converter) convert(n *yaml.Node, depth int) (*node, error) {
	pos := Pos{n.Line, n.Column}
	if depth > maxDepth {
		return nil, &syntaxError{pos: pos, msg: fmt.Sprintf("values are nested more than %d deep", maxDepth)}
	}
	if n.Kind == yaml.AliasNode {
		v, ok := c.done[n.Alias]
		if !ok {
			// An alias to an anchor still being converted refers to itself.
			return nil, &syntaxError{pos: pos, msg: fmt.Sprintf("alias *%s refers to the value that contains it", n.Value)}
		}
		return v, nil
	}
	out, err := c.convertNode(n, pos, depth)
	if err != nil {
		return nil, err
	}
	if n.Anchor != "" {
		if c.done == nil {
			c.done = map[*yaml.Node]*node{}
		}
		c.done[n] = out // aliases can only name anchored nodes
	}
	c.total++
	if c.total > maxNodes || out.size > maxNodes {
		return nil, &syntaxError{pos: pos, msg: fmt.Sprintf("file expands to more than %d values (check for alias loops or alias bombs)", maxNodes)}
	}
	return out, nil
}

// scalarTypes are the tags a scalar may carry, explicitly or as resolved.
var scalarTypes = map[string]string{
	"!!str": "string", "!!int": "integer", "!!float": "float", "!!bool": "boolean",
	"!!timestamp": "timestamp", "!!binary": "string",
}

func (c *converter) convertNode(n *yaml.Node, pos Pos, depth int) (*node, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return &node{kind: nullNode, pos: pos, size: 1}, nil
		}
		typ, ok := scalarTypes[n.Tag]
		if !ok {
			return nil, &syntaxError{pos: pos, msg: fmt.Sprintf("tag %s is not supported", n.Tag)}
		}
		return &node{kind: scalarNode, pos: pos, text: n.Value, typ: typ, size: 1}, nil
	case yaml.SequenceNode:
		if n.Tag != "!!seq" {
			return nil, &syntaxError{pos: pos, msg: fmt.Sprintf("tag %s is not supported", n.Tag)}
		}
		out := &node{kind: sequenceNode, pos: pos, size: 1}
		for _, item := range n.Content {
			v, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, v)
			out.size = addSize(out.size, v.size)
		}
		return out, nil
	case yaml.MappingNode:
		if n.Tag != "!!map" {
			return nil, &syntaxError{pos: pos, msg: fmt.Sprintf("tag %s is not supported", n.Tag)}
		}
		return c.convertMapping(n, pos, depth)
	}
	return nil, &syntaxError{pos: pos, msg: "unsupported YAML construct"}
}

func (c *converter) convertMapping(n *yaml.Node, pos Pos, depth int) (*node, error) {
	out := &node{kind: mappingNode, pos: pos, size: 1}
	var merges []*node
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		v, err := c.convert(vn, depth+1)
		if err != nil {
			return nil, err
		}
		if kn.Kind == yaml.ScalarNode && kn.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		k, err := c.convert(kn, depth+1)
		if err != nil {
			return nil, err
		}
		if k.kind != scalarNode {
			return nil, &syntaxError{pos: Pos{kn.Line, kn.Column}, msg: "mapping keys must be plain strings"}
		}
		if prev, _ := out.get(k.text); prev != nil {
			return nil, &syntaxError{pos: k.pos, msg: fmt.Sprintf("key %q appears twice in this mapping (first at line %d)", k.text, prev.pos.Line)}
		}
		out.keys = append(out.keys, k)
		out.values = append(out.values, v)
		out.size = addSize(out.size, v.size+1)
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
