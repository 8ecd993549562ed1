package catalog

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"

	"github.com/goccy/go-yaml"
	yaml3 "go.yaml.in/yaml/v3"
)

// marshalFile writes v as YAML the loader reads back to the same strings. goccy/go-yaml
// leaves some strings plain or in literal blocks that do not survive a reading (tabs,
// white space at either end of a line, a block whose first line is indented); such a
// string is written double-quoted instead, with JSON's escapes, which YAML shares.
func marshalFile(v any) ([]byte, error) {
	return yaml.MarshalWithOptions(v, yaml.CustomMarshaler[string](marshalString))
}

func marshalString(s string) ([]byte, error) {
	if !needsQuotes(s) {
		if b, err := yaml.Marshal(s); err == nil {
			var back string
			if yaml3.Unmarshal(b, &back) == nil && back == s {
				return b, nil
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// needsQuotes reports whether s holds white space that plain and literal styles do not
// keep: anything but spaces and line feeds, or a space or line feed where a line starts
// or a space where one ends.
func needsQuotes(s string) bool {
	odd := strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && r != '\n' && unicode.IsSpace(r) })
	return odd || strings.HasPrefix(s, " ") || strings.HasPrefix(s, "\n") || strings.HasSuffix(s, " ") ||
		strings.Contains(s, "\n ") || strings.Contains(s, " \n")
}
