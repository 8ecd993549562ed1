package catalog

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// TestRuleDiagnostics checks that a custom rule's problems are placed where they are in
// its file: inside the expression for parse, type and parameter errors, in every
// scalar style, and at the member otherwise.
func TestRuleDiagnostics(t *testing.T) {
	const head = "name: r\nresourceTypes: [AWS::S3::Bucket]\n"
	tests := []struct {
		name, body string
		want       []string // path:line:col: field: reason (prefix of the reason)
	}{
		{"literal block, second line", head + "condition: |\n  resource.configuration.x == 1 &&\n    nope\n",
			[]string{"rules/r.yaml:5:5: condition: undeclared reference to 'nope'"}},
		{"folded block", head + "condition: >-\n  true &&\n  resource.x +\n",
			[]string{"rules/r.yaml:5:15: condition: Syntax error"}},
		{"plain scalar", head + "condition: true && params.maxAge > 1\n",
			[]string{"rules/r.yaml:3:20: condition: params.maxAge: no parameter is named maxAge"}},
		{"double-quoted scalar", head + `condition: "1 + 'a'"` + "\n",
			[]string{"rules/r.yaml:3:15: condition: found no matching overload for '_+_'"}},
		{"not boolean", head + "condition: '\"yes\"'\n",
			[]string{"rules/r.yaml:3:13: condition: must be a boolean expression, this one gives string"}},
		{"applicable and condition both wrong", head + "applicable: x\ncondition: |\n  y\n",
			[]string{"rules/r.yaml:3:13: applicable: undeclared reference to 'x'", "rules/r.yaml:5:3: condition: undeclared reference to 'y'"}},
		{"members", "name: bad name!\nresourceTypes: [S3]\nparameters:\n  - name: 1x\n    type: float\n    default: x\n",
			[]string{
				"rules/r.yaml:1:1: condition: is required", // absent: at the document
				"rules/r.yaml:1:1: name: must be 1 to 128 letters, digits, - or _",
				"rules/r.yaml:2:17: resourceTypes[0]: \"S3\" is not a resource type such as AWS::S3::Bucket",
				"rules/r.yaml:4:5: parameters[0].name: must be a letter",
				"rules/r.yaml:5:5: parameters[0].type: must be one of string, int, boolean, csv",
			}},
		{"bad default", head + "parameters:\n  - {name: n, type: int, default: ten}\ncondition: params.n > 1\n",
			[]string{"rules/r.yaml:4:26: parameters[0].default: \"ten\" is not a non-negative integer"}},
		{"unknown key", head + "condtion: true\n",
			[]string{"rules/r.yaml:1:1: condition: is required", "rules/r.yaml:3:1: condtion: unknown key"}},
		{"JSON file", `{"name": "r", "resourceTypes": ["AWS::S3::Bucket"], "condition": "resource.x == nope"}`,
			[]string{"rules/r.yaml:1:81: condition: undeclared reference to 'nope'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := Load([]doc.File{{Path: "rules/r.yaml", Data: []byte(tt.body)}})
			if len(diags) != len(tt.want) {
				t.Fatalf("got %d diagnostics, want %d:\n%v", len(diags), len(tt.want), diags)
			}
			for i, d := range diags {
				if !strings.HasPrefix(d.String(), tt.want[i]) {
					t.Errorf("diagnostic %d:\n got %s\nwant %s...", i, d, tt.want[i])
				}
			}
		})
	}
}

const ruleFile = "name: versioned\nresourceTypes: [AWS::S3::Bucket]\ncondition: resource.supplementaryConfiguration.?BucketVersioningConfiguration.status.orValue('') == 'Enabled'\n"

func controlUsing(keyword string) string {
	return "name: c\ndescription: d\ndatasources:\n  - sourceName: s\n    sourceType: AWS_Config\n    sourceKeyword:\n      keywordInputType: SELECT_FROM_LIST\n      keywordValue: " + keyword + "\n"
}

// TestCustomRuleReferences checks that a control's Custom_<name> keyword must name a rule
// of the files or of the library, in Check and in MakePlan.
func TestCustomRuleReferences(t *testing.T) {
	lib := &store.Library{Rules: []probity.CustomRule{{ID: "lib-rule", Name: "in-library", ResourceTypes: []string{"AWS::S3::Bucket"}, Condition: "true", ManagedBy: "files"}}}
	tests := []struct {
		name  string
		files map[string]string
		want  string // "" for none
	}{
		{"rule in the files", map[string]string{"rules/v.yaml": ruleFile, "controls/c.yaml": controlUsing("Custom_versioned")}, ""},
		{"rule in the library", map[string]string{"controls/c.yaml": controlUsing("Custom_in-library")}, ""},
		{"managed rule", map[string]string{"controls/c.yaml": controlUsing("S3_BUCKET_VERSIONING_ENABLED")}, ""},
		{"missing, with a suggestion", map[string]string{"rules/v.yaml": ruleFile, "controls/c.yaml": controlUsing("Custom_versoined")},
			`controls/c.yaml:8:21: datasources[0].sourceKeyword.keywordValue: no custom rule is named "versoined" (rules/*.yaml define them); closest: "Custom_versioned"`},
		{"a rule file with problems still counts as declared", map[string]string{"rules/v.yaml": ruleFile + "annotation: [x]\n", "controls/c.yaml": controlUsing("Custom_versioned")},
			"rules/v.yaml:4:13: annotation: must be a string, got a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var files []doc.File
			for p, body := range tt.files {
				files = append(files, doc.File{Path: p, Data: []byte(body)})
			}
			cat, diags := Check(slices.Clone(files), lib) // Check takes the files' bytes
			if got := diags.Error(); got != tt.want {
				t.Errorf("Check:\n got %q\nwant %q", got, tt.want)
			}
			if tt.want != "" && !strings.HasPrefix(tt.want, "controls/") {
				return
			}
			// MakePlan finds the same on its own (Load does not resolve).
			cat, _ = Load(files)
			_, err := MakePlan(cat, lib, Options{})
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("MakePlan:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestRulePlanAndApply applies rules on both backends: create, no change, update, and
// prune, which is refused while a control of the library still names the rule.
func TestRulePlanAndApply(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			ctx := context.Background()
			opt := Options{Source: "git", Prune: true}
			apply := func(files map[string]string) (*Plan, error) {
				var fs []doc.File
				for p, body := range files {
					fs = append(fs, doc.File{Path: p, Data: []byte(body)})
				}
				cat, diags := Load(fs)
				if len(diags) > 0 {
					t.Fatal(diags)
				}
				return Apply(ctx, st, cat, opt)
			}
			summary := func(p *Plan) string {
				var s []string
				for _, c := range p.Changes {
					s = append(s, string(c.Action)+" "+c.Kind+" "+c.Name+" "+strings.Join(c.Members, ","))
				}
				return strings.Join(s, "; ")
			}
			p, err := apply(map[string]string{"rules/v.yaml": ruleFile, "controls/c.yaml": controlUsing("Custom_versioned")})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := summary(p), "create Rule versioned ; create Control c "; got != want {
				t.Errorf("first apply: %q, want %q", got, want)
			}
			rs, err := st.CustomRules(ctx, probity.DefaultPartition.AccountID)
			if err != nil || len(rs) != 1 || rs[0].ManagedBy != "git" || rs[0].Condition == "" {
				t.Fatalf("stored rules %+v, %v", rs, err)
			}
			if p, err = apply(map[string]string{"rules/v.yaml": ruleFile, "controls/c.yaml": controlUsing("Custom_versioned")}); err != nil || !p.Empty() || p.Unchanged != 2 {
				t.Fatalf("second apply: %+v, %v", p, err)
			}
			changed := strings.Replace(ruleFile, "'Enabled'", "'Enabled' && true", 1) + "description: now described\n"
			if p, err = apply(map[string]string{"rules/v.yaml": changed, "controls/c.yaml": controlUsing("Custom_versioned")}); err != nil {
				t.Fatal(err)
			}
			if got, want := summary(p), "update Rule versioned description,condition"; got != want {
				t.Errorf("update: %q, want %q", got, want)
			}
			// The rule leaves the files while the control, also of these files, still names
			// it: the plan says where.
			_, err = apply(map[string]string{"controls/c.yaml": controlUsing("Custom_versioned")})
			if err == nil || !strings.Contains(err.Error(), "custom rule versioned is no longer defined in the files and would be deleted") {
				t.Fatalf("pruning a rule in use: %v", err)
			}
			// The control goes to another owner (the API) and keeps naming the rule: pruning
			// the rule is refused.
			opt.Source = "git"
			lib, _ := st.Library(ctx, probity.DefaultPartition.AccountID)
			ctl := lib.Controls[0]
			ctl.ManagedBy = ""
			if err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutControls(ctx, []*probity.Control{&ctl}) }); err != nil {
				t.Fatal(err)
			}
			_, err = apply(map[string]string{"controls/other.yaml": strings.Replace(controlUsing("S3_BUCKET_VERSIONING_ENABLED"), "name: c", "name: other", 1)})
			if probity.ErrorCode(err) != probity.ECONFLICT || !strings.Contains(err.Error(), `custom rule "versioned" is no longer in the files but control "c" still uses it`) {
				t.Fatalf("prune of a rule a kept control uses: %v", err)
			}
			// With the rule's file back, pruning the rest works, and dropping it later too
			// once nothing names it.
			if _, err = apply(map[string]string{"rules/v.yaml": changed}); err != nil {
				t.Fatal(err)
			}
			ctl.ControlMappingSources[0].SourceKeyword.KeywordValue = "S3_BUCKET_VERSIONING_ENABLED"
			if err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutControls(ctx, []*probity.Control{&ctl}) }); err != nil {
				t.Fatal(err)
			}
			if p, err = apply(map[string]string{"controls/other.yaml": strings.Replace(controlUsing("S3_BUCKET_VERSIONING_ENABLED"), "name: c", "name: other", 1)}); err != nil {
				t.Fatal(err)
			}
			if got, want := summary(p), "delete Rule versioned ; create Control other "; got != want {
				t.Errorf("prune: %q, want %q", got, want)
			}
			if rs, _ := st.CustomRules(ctx, probity.DefaultPartition.AccountID); len(rs) != 0 {
				t.Errorf("rules after prune: %+v", rs)
			}
		})
	}
}
