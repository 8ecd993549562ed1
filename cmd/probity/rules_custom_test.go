package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRulesCustomCatalog checks list, eval and test with custom rules from --catalog and
// from rules/*.yaml beside the cases.
func TestRulesCustomCatalog(t *testing.T) {
	cli := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb strings.Builder
		code := Run(t.Context(), args, testEnv(map[string]string{}, &out, &errb))
		return code, out.String(), errb.String()
	}
	const custom = "../../internal/rules/testdata/custom"
	if code, out, errs := cli("rules", "list", "--catalog", custom); code != ExitOK || !strings.Contains(out, "Custom_ec2-instance-max-age") || !strings.Contains(out, "maxAgeDays:int=90") {
		t.Errorf("list = %d %s %s", code, out, errs)
	}
	if code, out, errs := cli("rules", "test", custom); code != ExitOK || !strings.Contains(out, "case(s) passed") {
		t.Errorf("test = %d %s %s", code, out, errs)
	}
	dir := writeFiles(t, map[string]string{
		"rules/bad.yaml": "name: bad\nresourceTypes: [AWS::S3::Bucket]\ncondition: |\n  resource.x ==\n",
		"ci.json":        `{"resourceType":"AWS::EC2::Instance","resourceId":"i","configurationItemStatus":"OK","configuration":{"state":{"name":"running"},"launchTime":"2024-01-01T00:00:00Z"}}`,
	})
	ci := filepath.Join(dir, "ci.json")
	if code, _, errs := cli("rules", "eval", "--catalog", dir, "--rule", "Custom_bad", ci); code != ExitInvalid || !strings.Contains(errs, "rules/bad.yaml:5:3: condition: Syntax error") {
		t.Errorf("eval with a broken rule = %d %s", code, errs)
	}
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"--rule", "Custom_ec2-instance-max-age", "--now", "2024-02-01T00:00:00Z", ci}, ExitOK, `"complianceType":"COMPLIANT"`},
		{[]string{"--rule", "Custom_ec2-instance-max-age", "--param", "maxAgeDays=10", "--now", "2024-02-01T00:00:00Z", ci}, ExitOK, `"complianceType":"NON_COMPLIANT"`},
		{[]string{"--rule", "Custom_nope", ci}, ExitUsage, ""},
	} {
		code, out, errs := cli(append([]string{"rules", "eval", "--catalog", custom}, tc.args...)...)
		if code != tc.code || !strings.Contains(out, tc.out) {
			t.Errorf("eval %v = %d %s %s", tc.args, code, out, errs)
		}
	}
}
