package doc

// Kind is what a Node holds.
type Kind int

// Kinds of node.
const (
	Null Kind = iota
	Scalar
	Mapping
	Sequence
)

// Node is a parsed YAML or JSON value with the position of its first character. Nodes
// are read-only: an alias shares the Node of its anchor, so a change would show in
// every place that refers to it.
type Node struct {
	Kind Kind
	Pos  Pos
	// Text is a scalar's value as written, quotes removed.
	Text string
	// Type is a scalar's type as YAML resolves it: string, integer, float, boolean or
	// timestamp.
	Type string
	// Keys and Values are a mapping's entries in file order, merge keys (<<) applied;
	// keys are scalars and unique.
	Keys, Values []*Node
	// Items are a sequence's values.
	Items []*Node

	size int // nodes in this subtree with aliases expanded, saturating at MaxNodes+1
}

// Describe names the node's kind for type errors: "null", "a mapping", "a list", "a
// string", "a boolean" and so on.
func (n *Node) Describe() string {
	switch n.Kind {
	case Null:
		return "null"
	case Mapping:
		return "a mapping"
	case Sequence:
		return "a list"
	}
	if n.Type == "string" {
		return "a string"
	}
	return "a " + n.Type
}

// Get returns the key and value nodes of key in a mapping, or nil and nil when the
// mapping has no such key or n is not a mapping.
func (n *Node) Get(key string) (k, v *Node) {
	for i, kn := range n.Keys {
		if kn.Text == key {
			return kn, n.Values[i]
		}
	}
	return nil, nil
}
