package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// mappingControl is a control file that mapping tests name.
var mappingControl = doc.File{Path: "controls/root.yaml", Data: []byte("name: Root account hygiene\ndescription: d\n")}

// TestMappingDiagnostics checks every problem of a bad mapping file, placed at
// path:line:col, as validate reports it (Check, then MakePlan against the library).
func TestMappingDiagnostics(t *testing.T) {
	lib := &store.Library{Controls: []probity.Control{
		{ID: "std-1", Name: "1.20 Ensure that IAM Access analyzer is enabled", Type: probity.ControlTypeStandard},
	}}
	tests := []struct {
		name  string
		files []doc.File // besides mappingControl
		want  []string
	}{
		{"unknown keys", []doc.File{{Path: "mappings/m.yaml", Data: []byte(
			"name: m\nrule:\n  - checkId: x\nrules:\n  - checkID: x\n    provider: p\n    controls: [Root account hygiene]\n")}},
			[]string{
				"mappings/m.yaml:2:1: rule: unknown key (did you mean rules?)",
				"mappings/m.yaml:5:5: rules[0].checkID: unknown key (did you mean checkId?)",
			}},
		{"missing members", []doc.File{{Path: "mappings/m.yaml", Data: []byte("description: only\n")}},
			[]string{
				"mappings/m.yaml:1:1: name: is required",
				"mappings/m.yaml:1:1: rules: must have at least 1 item",
			}},
		{"rule without a pattern or controls", []doc.File{{Path: "mappings/m.yaml", Data: []byte(
			"name: m\nrules:\n  - provider: '  '\n    controls: []\n  - checkId: x\n")}},
			[]string{
				"mappings/m.yaml:3:5: rules[0]: needs at least one of provider, checkId or resourceType: a rule that matches every finding maps nothing in particular",
				"mappings/m.yaml:4:5: rules[0].controls: must have at least 1 item",
				"mappings/m.yaml:5:5: rules[1].controls: must have at least 1 item",
			}},
		{"wrong shapes", []doc.File{{Path: "mappings/m.yaml", Data: []byte(
			"name: [m]\nrules:\n  - checkId: {a: b}\n    controls: Root account hygiene\n  - x\n  - checkId: y\n    controls:\n      - {name: Root account hygiene}\n")}},
			[]string{
				"mappings/m.yaml:1:7: name: must be a string, got a list",
				"mappings/m.yaml:3:14: rules[0].checkId: must be a string, got a mapping",
				"mappings/m.yaml:4:15: rules[0].controls: must be a list, got a string",
				"mappings/m.yaml:5:5: rules[1]: must be a mapping, got a string",
				"mappings/m.yaml:8:9: rules[2].controls[0]: must be a control's name, got a mapping",
			}},
		{"bad name, duplicate control, too long", []doc.File{{Path: "mappings/m.yaml", Data: []byte(
			"name: not a name\nrules:\n  - checkId: " + strings.Repeat("x", 257) + "\n    controls: [Root account hygiene, Root account hygiene]\n")}},
			[]string{
				"mappings/m.yaml:1:1: name: must be 1 to 128 letters, digits, - or _",
				"mappings/m.yaml:3:5: rules[0].checkId: must be at most 256 characters, got 257",
				"mappings/m.yaml:4:38: rules[0].controls[1]: \"Root account hygiene\" is named twice in this rule",
			}},
		{"unknown control names, with the closest", []doc.File{{Path: "mappings/m.yaml", Data: []byte(
			"name: m\nrules:\n  - provider: prowler\n    controls:\n      - Root acount hygiene\n      - 1.20 Ensure that IAM Access analyzer is enabled\n  - checkId: x\n    controls: [Nothing like it]\n")}},
			[]string{
				"mappings/m.yaml:5:9: rules[0].controls[0]: no control is named \"Root acount hygiene\"; closest: \"Root account hygiene\"",
				"mappings/m.yaml:8:16: rules[1].controls[0]: no control is named \"Nothing like it\"",
			}},
		{"duplicate mapping names", []doc.File{
			{Path: "mappings/a.yaml", Data: []byte("name: m\nrules: [{checkId: x, controls: [Root account hygiene]}]\n")},
			{Path: "more/b.json", Data: []byte(`{"kind": "Mapping", "name": "m", "rules": [{"checkId": "y", "controls": ["Root account hygiene"]}]}`)},
		},
			[]string{
				"mappings/a.yaml:1:1: name: mapping name \"m\" is also defined in more/b.json:1:21",
				"more/b.json:1:21: name: mapping name \"m\" is also defined in mappings/a.yaml:1:1",
			}},
		{"kind", []doc.File{{Path: "misc/m.yaml", Data: []byte("kind: Mappings\nname: m\n")}},
			[]string{"misc/m.yaml:1:1: kind: must be Control, Framework, Rule or Mapping"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := append([]doc.File{mappingControl}, tt.files...)
			cat, diags := Check(files, lib)
			if len(diags) == 0 {
				if _, err := MakePlan(cat, lib, Options{}); !errors.As(err, &diags) {
					t.Fatalf("MakePlan: %v, want diagnostics", err)
				}
			}
			var got []string
			for _, d := range diags {
				got = append(got, d.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMappingPlanApply plans and applies mappings on each backend: created, unchanged,
// updated with the members that change, refused when pruning would delete a control they
// name, and deleted by prune when the files drop them.
func TestMappingPlanApply(t *testing.T) {
	const m1 = "name: m\nrules:\n  - {provider: prowler, checkId: 'account_*', controls: [Root account hygiene]}\n"
	const m2 = "name: m\ndescription: now described\nrules:\n  - {provider: prowler, checkId: 'account_*', controls: [Root account hygiene, Other]}\n"
	other := doc.File{Path: "controls/other.yaml", Data: []byte("name: Other\n")}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			apply := func(prune bool, files ...doc.File) (*Plan, error) {
				t.Helper()
				cat, diags := Load(files)
				if len(diags) > 0 {
					t.Fatalf("Load: %v", diags)
				}
				return Apply(ctx, st, cat, Options{Prune: prune})
			}
			changes := func(p *Plan) []string {
				var out []string
				for _, c := range p.Changes {
					out = append(out, string(c.Action)+" "+c.Kind+" "+c.Name+" "+strings.Join(c.Members, ","))
				}
				return out
			}
			p, err := apply(true, mappingControl, other, doc.File{Path: "mappings/m.yaml", Data: []byte(m1)})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"create Control Other ", "create Control Root account hygiene ", "create Mapping m "}, changes(p)); diff != "" {
				t.Errorf("first apply (-want +got):\n%s", diff)
			}
			if p, err = apply(true, mappingControl, other, doc.File{Path: "mappings/m.yaml", Data: []byte(m1)}); err != nil || !p.Empty() || p.Unchanged != 3 {
				t.Fatalf("second apply: %+v, %v; want nothing changed", p, err)
			}
			if p, err = apply(true, mappingControl, other, doc.File{Path: "mappings/m.yaml", Data: []byte(m2)}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"update Mapping m description,rules"}, changes(p)); diff != "" {
				t.Errorf("update (-want +got):\n%s", diff)
			}
			got, err := st.FindingMappings(ctx, probity.DefaultPartition.AccountID)
			if err != nil || len(got) != 1 || got[0].Description != "now described" || len(got[0].Rules[0].Controls) != 2 || got[0].ManagedBy != "files" {
				t.Fatalf("stored mappings: %+v, %v", got, err)
			}
			// Dropping a control that the mapping still names is refused, at the name.
			_, err = apply(true, mappingControl, doc.File{Path: "mappings/m.yaml", Data: []byte(m2)})
			var diags doc.Diagnostics
			if !errors.As(err, &diags) || len(diags) != 1 ||
				diags[0].String() != `mappings/m.yaml:4:80: rules[0].controls[1]: control "Other" is no longer defined in the files and would be deleted` {
				t.Fatalf("pruning a named control: %v", err)
			}
			if p, err = apply(true, mappingControl, other); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"delete Mapping m "}, changes(p)); diff != "" {
				t.Errorf("prune (-want +got):\n%s", diff)
			}
			if got, err := st.FindingMappings(ctx, probity.DefaultPartition.AccountID); err != nil || len(got) != 0 {
				t.Fatalf("after prune: %+v, %v", got, err)
			}
		})
	}
}
