package rules

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/probity-dev/probity/internal/sharedtest"
)

// TestCases runs the shipped rule cases, and checks that every rule has at least three.
func TestCases(t *testing.T) {
	dir := filepath.Join("testdata", "cases")
	n, failures, err := RunCaseDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range failures {
		t.Error(f)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	per := map[string]int{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var cf CaseFile
		json.Unmarshal(b, &cf)
		per[cf.Rule] += len(cf.Cases)
	}
	for _, r := range All() {
		if per[r.ID] < 3 {
			t.Errorf("%s: %d cases, want at least 3", r.ID, per[r.ID])
		}
	}
	t.Logf("%d cases", n)
}

// TestPublicCases runs the public aws-config-rules cases whose rule is one of ours.
// Those are custom (RDK) rules of the same name: a parameter the custom rule names
// differently is renamed to the managed rule's (caseAliases), parameters our managed rule
// does not take (exceptionList) are dropped, and annotations, which differ, are not compared.
func TestPublicCases(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(sharedDir(t), "rule-testcases", "aws_config_rules_custom_rule_test_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			Rule, Test string
			Inputs     []struct {
				ConfigurationItem json.RawMessage
				RuleParameters    map[string]string
			}
			Expected []Result
		}
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, pc := range file.Cases {
		rule, err := Get(pc.Rule)
		if err != nil || len(pc.Inputs) != 1 {
			continue
		}
		params := map[string]string{}
		for k, v := range pc.Inputs[0].RuleParameters {
			if alias, ok := caseAliases[pc.Rule][k]; ok {
				k = alias
			}
			for _, p := range rule.Params {
				if p.Name == k {
					params[k] = v
				}
			}
		}
		want := make([]Result, len(pc.Expected))
		for i, e := range pc.Expected {
			want[i] = e
			want[i].Annotation = ""
		}
		ran++
		if p := RunCase(rule, Case{Name: pc.Test, Params: params, Input: pc.Inputs[0].ConfigurationItem, Expected: want}); p != "" {
			t.Errorf("%s %s: %s", pc.Rule, pc.Test, p)
		}
	}
	if ran == 0 {
		t.Error("no public case ran")
	}
	t.Logf("%d public cases", ran)
}

// caseAliases renames, per rule, a public case's parameter to the managed rule's name for it.
var caseAliases = map[string]map[string]string{
	"LAMBDA_INSIDE_VPC":          {"subnetId": "subnetIds"},
	"LAMBDA_DLQ_CHECK":           {"dlqArn": "dlqArns"},
	"API_GW_ENDPOINT_TYPE_CHECK": {"endpointConfigurationType": "endpointConfigurationTypes"},
}

func TestBindErrors(t *testing.T) {
	r, _ := Get("RESTRICTED_INCOMING_TRAFFIC")
	_, err := r.Bind(map[string]string{"blockedPort1": "x", "blockedPort9": "1"})
	want := "rule RESTRICTED_INCOMING_TRAFFIC: bad parameters\n  blockedPort1: \"x\" is not a non-negative integer\n  blockedPort9: unknown parameter (the rule takes blockedPort1, blockedPort2, blockedPort3, blockedPort4, blockedPort5)"
	if err == nil || err.Error() != want {
		t.Errorf("err %v\nwant %s", err, want)
	}
	if _, err := Get("NO_SUCH_RULE"); err == nil {
		t.Error("unknown rule: no error")
	}
}

// sharedDir returns the AWS Config reference data, ../shared/data/aws-config beside the
// module root ($PROBITY_SHARED overrides ../shared), or skips.
func sharedDir(t testing.TB) string { return sharedtest.Dir(t, "aws-config") }
