package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSchemaCommand: `probity schema` lists the kinds, each kind prints a JSON Schema
// with its $id, and an unknown kind is a usage error naming the kinds.
func TestSchemaCommand(t *testing.T) {
	code, out, _ := cli(t, nil, "schema")
	if code != ExitOK || !strings.Contains(out, "control\t") || !strings.Contains(out, "rule\t") {
		t.Fatalf("schema: %d %q", code, out)
	}
	for _, k := range []string{"control", "framework", "rule"} {
		code, out, errOut := cli(t, nil, "schema", k)
		var s map[string]any
		if code != ExitOK || json.Unmarshal([]byte(out), &s) != nil || !strings.HasSuffix(s["$id"].(string), "/"+k+".json") {
			t.Errorf("schema %s: %d %q %q", k, code, out[:min(len(out), 200)], errOut)
		}
	}
	if code, _, errOut := cli(t, nil, "schema", "mapping-typo"); code != ExitUsage || !strings.Contains(errOut, "control, framework, rule") {
		t.Errorf("unknown kind: %d %q", code, errOut)
	}
}
