package catalog

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/probity-dev/probity/internal/doc"
)

// schemaBlind lists the invalid corpus cases a JSON Schema cannot refuse, with the
// reason; every other case must be refused by the schema as by the validator.
var schemaBlind = map[string]string{
	"control-character":             "a character refused anywhere in the file, comments included",
	"unsupported-tag":               "YAML tags, which a schema never sees",
	"duplicate-control-names":       "names unique across files",
	"duplicate-framework-names":     "names unique across files",
	"framework-duplicate-control":   "unique items by a member (id or name) within a set",
	"framework-duplicate-set-names": "unique set names within a framework",
	"source-name-duplicate":         "unique source names within a control",
	"framework-ref-unknown-id":      "references to controls in other files",
	"framework-unresolved-control":  "references to controls in other files",
	"mapping-duplicate-names":       "names unique across files",
	"mapping-unknown-control":       "references to controls in other files",
}

// schemaFor returns the compiled schema of the kind.
func schemaFor(t *testing.T, kind string) *jsonschema.Schema {
	t.Helper()
	b, err := Schema(kind)
	if err != nil {
		t.Fatal(err)
	}
	d, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID(kind), d); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(SchemaID(kind))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// schemaAccepts reports whether the file is one YAML or JSON document of a known kind
// that its kind's schema accepts.
func schemaAccepts(t *testing.T, schemas map[string]*jsonschema.Schema, f doc.File) (bool, string) {
	var v any
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	if err := dec.Decode(&v); err != nil {
		return false, "not YAML: " + err.Error()
	}
	var more any
	if dec.Decode(&more) == nil {
		return false, "two documents"
	}
	j, err := json.Marshal(v)
	if err != nil {
		return false, "not JSON-shaped: " + err.Error()
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		return false, err.Error()
	}
	kind := strings.ToLower(kindFromPath(f.Path))
	if m, ok := v.(map[string]any); ok {
		if k, ok := m["kind"].(string); ok {
			kind = strings.ToLower(k)
		}
	}
	s := schemas[kind]
	if s == nil {
		return false, "no kind"
	}
	if err := s.Validate(inst); err != nil {
		return false, err.Error()
	}
	return true, ""
}

// TestSchemaAgreesWithValidator: every valid corpus file is accepted by its kind's
// schema, and every invalid corpus case is refused by the schema too (some file of the
// case), except the cases schemaBlind names.
func TestSchemaAgreesWithValidator(t *testing.T) {
	schemas := map[string]*jsonschema.Schema{}
	for _, k := range SchemaKinds {
		schemas[k] = schemaFor(t, k)
	}
	err := filepath.WalkDir("testdata/valid", func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasSuffix(p, ".md") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/valid", p)
		if ok, why := schemaAccepts(t, schemas, doc.File{Path: filepath.ToSlash(rel), Data: data}); !ok {
			t.Errorf("%s: valid, but the schema refuses it: %s", p, why)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob("testdata/invalid/*.txtar")
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		a := readArchive(t, path)
		refused := false
		for _, f := range a.files {
			if f.Path == "want" {
				continue
			}
			if ok, _ := schemaAccepts(t, schemas, f); !ok {
				refused = true
			}
		}
		_, blind := schemaBlind[name]
		switch {
		case !refused && !blind:
			t.Errorf("%s: the validator refuses it, the schema accepts it", name)
		case refused && blind:
			t.Errorf("%s: listed as beyond the schema, but the schema refuses it: take it off schemaBlind", name)
		}
	}
}
