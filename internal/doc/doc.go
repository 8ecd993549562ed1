// Package doc reads positioned documents: one YAML or JSON document per file, parsed
// within fixed limits into nodes that know their line and column, and decoded with
// every problem reported as a Diagnostic (path:line:col: field: reason), unknown keys
// with a "did you mean" suggestion.
//
// It provides Parse (bytes -> *Node, or a *SyntaxError), Decoder (typed reads of nodes
// that collect Diagnostics), Closest and DidYouMean (suggestions), and ReadPaths,
// WalkFiles and ReadFile (reading only regular files, bounded in size, never blocking).
// What a document means is left to its callers: doc knows YAML, JSON, files and the
// domain's rule for free text, nothing else.
package doc
