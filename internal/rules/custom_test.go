package rules_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/catalog"
	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/rules"
)

// customRules loads and compiles testdata/custom/rules/*.yaml.
func customRules(t testing.TB) map[string]*rules.Rule {
	t.Helper()
	files, err := doc.ReadPaths([]string{filepath.Join("testdata", "custom", "rules")}, doc.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defs, diags := catalog.LoadRules(files)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	set := map[string]*rules.Rule{}
	for _, d := range defs {
		r, err := rules.Compile(d)
		if err != nil {
			t.Fatal(err)
		}
		set[r.ID] = r
	}
	return set
}

// TestCustomCases runs the custom rules' own cases, and checks that each example rule
// (every custom rule that is not a CEL copy of a managed one) has at least three.
func TestCustomCases(t *testing.T) {
	set := customRules(t)
	dir := filepath.Join("testdata", "custom")
	n, failures, err := rules.RunCaseDirWith(dir, set)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range failures {
		t.Error(f)
	}
	per := map[string]int{}
	files, _ := filepath.Glob(filepath.Join(dir, "cases", "*.json"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var cf rules.CaseFile
		json.Unmarshal(b, &cf)
		per[cf.Rule] += len(cf.Cases)
	}
	examples := 0
	for id := range set {
		if _, copy := celOf[id]; copy {
			continue
		}
		examples++
		if per[id] < 3 {
			t.Errorf("%s: %d cases, want at least 3", id, per[id])
		}
	}
	if examples < 5 {
		t.Errorf("%d example custom rules, want at least 5", examples)
	}
	t.Logf("%d custom cases", n)
}

// celOf maps each CEL copy of a managed rule to the managed rule.
var celOf = map[string]string{
	"Custom_CEL_S3_BUCKET_VERSIONING_ENABLED":               "S3_BUCKET_VERSIONING_ENABLED",
	"Custom_CEL_INCOMING_SSH_DISABLED":                      "INCOMING_SSH_DISABLED",
	"Custom_CEL_ENCRYPTED_VOLUMES":                          "ENCRYPTED_VOLUMES",
	"Custom_CEL_IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS": "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
	"Custom_CEL_EC2_IMDSV2_CHECK":                           "EC2_IMDSV2_CHECK",
}

// TestCELAgreesWithManaged runs every shipped case of five managed rules against their
// CEL copies: the same resources and compliance (annotations, which the CEL copies
// phrase once per rule, are not compared). Cases that expect an error are left out: a
// bad parameter fails the same way in Bind for both, and the Go rules refuse some
// malformed configurations that the CEL copies read as absent members.
func TestCELAgreesWithManaged(t *testing.T) {
	set := customRules(t)
	for cel, managed := range celOf {
		rule := set[cel]
		if rule == nil {
			t.Fatalf("%s is not among testdata/custom/rules", cel)
		}
		b, err := os.ReadFile(filepath.Join("testdata", "cases", managed+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var cf rules.CaseFile
		if err := json.Unmarshal(b, &cf); err != nil {
			t.Fatal(err)
		}
		ran := 0
		for _, c := range cf.Cases {
			if c.Error != "" {
				continue
			}
			for i := range c.Expected {
				c.Expected[i].Annotation = ""
			}
			ran++
			if p := rules.RunCase(rule, c); p != "" {
				t.Errorf("%s %s: %s", cel, c.Name, p)
			}
		}
		if ran < 3 {
			t.Errorf("%s: %d cases of %s ran, want at least 3", cel, ran, managed)
		}
		t.Logf("%s: %d cases agree with %s", cel, ran, managed)
	}
}

// TestResolve checks the lookup collectors use: managed rules by identifier, custom
// rules by Custom_<name>, ENOTFOUND otherwise.
func TestResolve(t *testing.T) {
	set := customRules(t)
	for _, tt := range []struct {
		keyword, want string
	}{
		{"S3_BUCKET_VERSIONING_ENABLED", "S3_BUCKET_VERSIONING_ENABLED"},
		{"Custom_required-tags", "Custom_required-tags"},
		{"Custom_nope", ""},
		{"NOPE", ""},
	} {
		r, err := rules.Resolve(tt.keyword, set)
		switch {
		case tt.want == "" && probity.ErrorCode(err) != probity.ENOTFOUND:
			t.Errorf("Resolve(%q) = %v, %v; want ENOTFOUND", tt.keyword, r, err)
		case tt.want != "" && (err != nil || r.ID != tt.want):
			t.Errorf("Resolve(%q) = %v, %v; want %s", tt.keyword, r, err, tt.want)
		}
	}
}

// TestCompileProblems checks CompileError's member-relative positions and that a
// definition compiles once.
func TestCompileProblems(t *testing.T) {
	def := &probity.CustomRule{Name: "r", ResourceTypes: []string{"AWS::S3::Bucket"},
		Parameters: []probity.RuleParameter{{Name: "n", Type: "int"}},
		Condition:  "params.n > 1 &&\n  params.m == 2"}
	_, err := rules.Compile(def)
	var ce *rules.CompileError
	if !errors.As(err, &ce) || len(ce.Problems) != 1 {
		t.Fatalf("err = %v", err)
	}
	if p := ce.Problems[0]; p.Field != "condition" || p.Line != 2 || p.Col != 3 || !strings.Contains(p.Message, "no parameter is named m") {
		t.Errorf("problem = %+v", p)
	}
	def.Condition = "params.n > 1"
	a, err := rules.Compile(def)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := rules.Compile(&probity.CustomRule{Name: "r", ResourceTypes: []string{"AWS::S3::Bucket"},
		Parameters: []probity.RuleParameter{{Name: "n", Type: "int"}}, Condition: "params.n > 1"})
	if a != b {
		t.Error("the same definition compiled twice")
	}
}

// TestCustomCostLimit checks that an expression doing too much work for one item stops
// at the cost limit with an error naming the item, whichever member it is in and
// however the work is spent (nested comprehensions, lists built by map over long
// lists), while a rule reading the same long list once still evaluates.
func TestCustomCostLimit(t *testing.T) {
	perms := make([]string, 300)
	for i := range perms {
		perms[i] = `{"ipProtocol":"tcp","fromPort":` + strconv.Itoa(i) + `,"toPort":` + strconv.Itoa(i) + `}`
	}
	item := `{"version":"1.3","accountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::EC2::SecurityGroup",` +
		`"resourceId":"sg-1","configuration":{"groupId":"sg-1","ipPermissions":[` + strings.Join(perms, ",") + `]}}`
	const list = "resource.configuration.ipPermissions"
	for _, tt := range []struct {
		name, applicable, condition string
		want                        rules.Compliance // "" for the cost-limit error
	}{
		{name: "nested all", condition: list + ".all(a, " + list + ".all(b, " + list + ".all(c, a.fromPort >= 0)))"},
		{name: "nested exists in applicable", applicable: list + ".exists(a, " + list + ".exists(b, " + list + ".exists(c, a.fromPort < 0)))", condition: "true"},
		{name: "lists built by map", condition: list + ".map(a, " + list + ".map(b, " + list + ".map(c, c.toPort))).size() > 0"},
		{name: "one pass is fine", condition: list + ".all(a, a.fromPort == a.toPort)", want: rules.Compliant},
		{name: "two nested passes are fine", condition: list + ".exists(a, " + list + ".exists(b, a.fromPort == b.toPort + 1))", want: rules.Compliant},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := rules.Compile(&probity.CustomRule{Name: "cost-" + strings.ReplaceAll(tt.name, " ", "-"),
				ResourceTypes: []string{"AWS::EC2::SecurityGroup"}, Applicable: tt.applicable, Condition: tt.condition})
			if err != nil {
				t.Fatal(err)
			}
			check, err := r.Bind(nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []rules.Result
			err = rules.Evaluate(check, ci.NewDecoder(strings.NewReader(item)), rules.Env{}, func(r rules.Result) error {
				got = append(got, r)
				return nil
			})
			if tt.want != "" {
				if err != nil || len(got) != 1 || got[0].ComplianceType != tt.want {
					t.Fatalf("got %v, %v; want %s", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "cost limit") || !strings.Contains(err.Error(), "sg-1") {
				t.Fatalf("got %v, %v; want the cost-limit error naming sg-1", got, err)
			}
		})
	}
}

// TestCustomParamsPerCheck checks that a rule's typed parameters follow each check's
// arguments when checks of one rule with different arguments evaluate in turn (the
// rule keeps the last arguments' CEL value and must notice when they change): every
// parameter type, set and unset.
func TestCustomParamsPerCheck(t *testing.T) {
	r, err := rules.Compile(&probity.CustomRule{Name: "params-per-check", ResourceTypes: []string{"AWS::EC2::Volume"},
		Parameters: []probity.RuleParameter{{Name: "n", Type: "int"}, {Name: "b", Type: "boolean"}, {Name: "s", Type: "string"}, {Name: "l", Type: "csv"}},
		Condition:  `(has(params.n) ? params.n : -1) == 2 && (has(params.b) && params.b) && (has(params.s) ? params.s : "") == "x" && (has(params.l) ? params.l : []) == ["a", "b"]`})
	if err != nil {
		t.Fatal(err)
	}
	it := new(ci.Item)
	if err := json.Unmarshal([]byte(`{"resourceType":"AWS::EC2::Volume","resourceId":"v","configuration":{"size":1}}`), it); err != nil {
		t.Fatal(err)
	}
	all := map[string]string{"n": "2", "b": "true", "s": "x", "l": "a, b"}
	checks := []struct {
		args map[string]string
		want rules.Compliance
	}{
		{all, rules.Compliant},
		{map[string]string{"n": "3", "b": "true", "s": "x", "l": "a,b"}, rules.NonCompliant},
		{all, rules.Compliant},
		{map[string]string{"n": "2", "b": "false", "s": "x", "l": "a,b"}, rules.NonCompliant},
		{map[string]string{"n": "2", "b": "true", "l": "a,b"}, rules.NonCompliant},
		{map[string]string{"n": "2", "b": "true", "s": "x", "l": "a"}, rules.NonCompliant},
		{map[string]string{}, rules.NonCompliant},
		{all, rules.Compliant},
	}
	bound := make([]*rules.Check, len(checks))
	for i, c := range checks {
		if bound[i], err = r.Bind(c.args); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 2 {
		for i, c := range checks {
			res, err := bound[i].EvaluateItem(it, rules.Env{})
			if err != nil || res.ComplianceType != c.want {
				t.Errorf("round %d, check %d %v: %v, %v; want %s", round, i, c.args, res.ComplianceType, err, c.want)
			}
		}
	}
}

// TestCustomSharedItemView checks that rules evaluating the same item share its CEL view
// (and what ingressRules derives from it) without changing their results: each rule on
// an item that other rules evaluated first gives what it gives on a fresh copy.
func TestCustomSharedItemView(t *testing.T) {
	set := customRules(t)
	ids := []string{"Custom_CEL_INCOMING_SSH_DISABLED", "Custom_sg-admin-ports-restricted"}
	const sg = `{"version":"1.3","accountId":"111122223333","configurationItemStatus":"OK","resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-1",` +
		`"configuration":{"groupId":"sg-1","ipPermissions":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":["0.0.0.0/0"]},` +
		`{"ipProtocol":"-1","ipv4Ranges":[{"cidrIp":"10.0.0.0/8"}]},{"ipProtocol":"6","fromPort":3389,"toPort":3389,"ipv6Ranges":[{"cidrIpv6":"::/0"}]}]}}`
	decode := func() *ci.Item {
		it := new(ci.Item)
		if err := json.Unmarshal([]byte(sg), it); err != nil {
			t.Fatal(err)
		}
		return it
	}
	want := map[string]rules.Result{}
	for _, id := range ids {
		c, err := set[id].Bind(nil)
		if err != nil {
			t.Fatal(err)
		}
		if want[id], err = c.EvaluateItem(decode(), rules.Env{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, order := range [][]string{ids, {ids[1], ids[0]}} {
		it := decode()
		for range 2 {
			for _, id := range order {
				c, _ := set[id].Bind(nil)
				got, err := c.EvaluateItem(it, rules.Env{})
				if err != nil || got != want[id] {
					t.Errorf("%v: %s: %+v, %v; want %+v", order, id, got, err, want[id])
				}
			}
		}
	}
}
