package doc

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Pos is a place in a file; line and column count from 1. The zero Pos means the file as
// a whole.
type Pos struct {
	Line, Col int
}

// Diagnostic is one problem with one file, printed as path:line:col: field: reason.
// A zero Pos leaves out :line:col and an empty Field leaves out field: .
type Diagnostic struct {
	Path   string
	Pos    Pos
	Field  string // member path as the author wrote it, e.g. datasources[1].sourceType; may be empty
	Reason string
}

// String returns the one-line form.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Path)
	if d.Pos.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", d.Pos.Line, d.Pos.Col)
	}
	b.WriteString(": ")
	if d.Field != "" {
		b.WriteString(d.Field)
		b.WriteString(": ")
	}
	b.WriteString(d.Reason)
	return b.String()
}

// Diagnostics is every problem found in one run. As an error it prints one per line;
// callers find it in an error with errors.As.
type Diagnostics []Diagnostic

// Error returns the diagnostics, one per line.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders diagnostics by file, then position, then field.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Field, b.Field),
		)
	})
}
