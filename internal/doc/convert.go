package doc

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// converter turns the parser's tree into nodes, resolving aliases and merge keys and
// counting the expanded size. Each parser node is converted once; aliases share it.
type converter struct {
	done  map[*yaml.Node]*Node
	total int
}

func (c *converter) convert(n *yaml.Node, depth int) (*Node, error) {
	pos := Pos{n.Line, n.Column}
	if depth > MaxDepth {
		return nil, &SyntaxError{Pos: pos, Reason: fmt.Sprintf("values are nested more than %d deep", MaxDepth)}
	}
	if n.Kind == yaml.AliasNode {
		v, ok := c.done[n.Alias]
		if !ok {
			// An alias to an anchor still being converted refers to itself.
			return nil, &SyntaxError{Pos: pos, Reason: fmt.Sprintf("alias *%s refers to the value that contains it", n.Value)}
		}
		return v, nil
	}
	out, err := c.convertNode(n, pos, depth)
	if err != nil {
		return nil, err
	}
	if n.Anchor != "" {
		if c.done == nil {
			c.done = map[*yaml.Node]*Node{}
		}
		c.done[n] = out // aliases can only name anchored nodes
	}
	c.total++
	if c.total > MaxNodes || out.size > MaxNodes {
		return nil, &SyntaxError{Pos: pos, Reason: fmt.Sprintf("file expands to more than %d values (check for alias loops or alias bombs)", MaxNodes)}
	}
	return out, nil
}

// scalarTypes are the tags a scalar may carry, explicitly or as resolved.
var scalarTypes = map[string]string{
	"!!str": "string", "!!int": "integer", "!!float": "float", "!!bool": "boolean",
	"!!timestamp": "timestamp", "!!binary": "string",
}

func (c *converter) convertNode(n *yaml.Node, pos Pos, depth int) (*Node, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return &Node{Kind: Null, Pos: pos, size: 1}, nil
		}
		typ, ok := scalarTypes[n.Tag]
		if !ok {
			return nil, &SyntaxError{Pos: pos, Reason: fmt.Sprintf("tag %s is not supported", n.Tag)}
		}
		return &Node{Kind: Scalar, Pos: pos, Text: n.Value, Type: typ, size: 1}, nil
	case yaml.SequenceNode:
		if n.Tag != "!!seq" {
			return nil, &SyntaxError{Pos: pos, Reason: fmt.Sprintf("tag %s is not supported", n.Tag)}
		}
		out := &Node{Kind: Sequence, Pos: pos, size: 1}
		for _, item := range n.Content {
			v, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			out.Items = append(out.Items, v)
			out.size = addSize(out.size, v.size)
		}
		return out, nil
	case yaml.MappingNode:
		if n.Tag != "!!map" {
			return nil, &SyntaxError{Pos: pos, Reason: fmt.Sprintf("tag %s is not supported", n.Tag)}
		}
		return c.convertMapping(n, pos, depth)
	}
	return nil, &SyntaxError{Pos: pos, Reason: "unsupported YAML construct"}
}

func (c *converter) convertMapping(n *yaml.Node, pos Pos, depth int) (*Node, error) {
	out := &Node{Kind: Mapping, Pos: pos, size: 1}
	var merges []*Node
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
		if k.Kind != Scalar {
			return nil, &SyntaxError{Pos: Pos{kn.Line, kn.Column}, Reason: "mapping keys must be plain strings"}
		}
		if prev, _ := out.Get(k.Text); prev != nil {
			return nil, &SyntaxError{Pos: k.Pos, Reason: fmt.Sprintf("key %q appears twice in this mapping (first at line %d)", k.Text, prev.Pos.Line)}
		}
		out.Keys = append(out.Keys, k)
		out.Values = append(out.Values, v)
		out.size = addSize(out.size, v.size+1)
	}
	// Merge keys (<<: *base) add the entries the mapping does not set itself.
	for _, m := range merges {
		srcs := []*Node{m}
		if m.Kind == Sequence {
			srcs = m.Items
		}
		for _, src := range srcs {
			if src.Kind != Mapping {
				return nil, &SyntaxError{Pos: src.Pos, Reason: "<< merges mappings only"}
			}
			for i, k := range src.Keys {
				if prev, _ := out.Get(k.Text); prev == nil {
					out.Keys = append(out.Keys, k)
					out.Values = append(out.Values, src.Values[i])
					out.size = addSize(out.size, src.Values[i].size+1)
				}
			}
		}
	}
	return out, nil
}

func addSize(a, b int) int { return min(a+b, MaxNodes+1) }
