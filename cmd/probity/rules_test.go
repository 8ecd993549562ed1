package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestRulesCommands(t *testing.T) {
	dir := t.TempDir()
	cli := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb strings.Builder
		code := Run(t.Context(), args, testEnv(map[string]string{}, &out, &errb))
		return code, out.String(), errb.String()
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	code, out, _ := cli("rules", "list")
	if code != ExitOK || !strings.Contains(out, "ACCESS_KEYS_ROTATED") || !strings.Contains(out, "maxAccessKeyAge:int=90") ||
		!regexp.MustCompile(`(?m)^AWS_CONFIG_PROCESS_CHECK +process check \(manual attestation, not evaluated\)`).MatchString(out) {
		t.Fatalf("list = %d:\n%s", code, out)
	}

	sg := write("sg.json", `{"version":"1.3","accountId":"1","resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-1","configurationItemStatus":"OK",
		"configuration":{"groupId":"sg-1","ipPermissions":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":["0.0.0.0/0"]}]}}`)
	snap := write("snap.json", `{"account":{"accountId":"111122223333","iam.AccessKeysByUser":{"alice":[{"AccessKeyId":"AKIA1","Status":"Active","CreateDate":"2024-01-01T00:00:00Z"}]}},
		"items":[{"resourceType":"AWS::S3::Bucket","resourceId":"b"}]}`)
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  string
		err  string
	}{
		{"one CI", []string{"--rule", "INCOMING_SSH_DISABLED", sg}, ExitOK,
			`{"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-1","complianceType":"NON_COMPLIANT","annotation":"Port 22 is open to 0.0.0.0/0."}` + "\n", ""},
		{"out of scope CI", []string{"--rule", "ENCRYPTED_VOLUMES", sg}, ExitOK,
			`{"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-1","complianceType":"NOT_APPLICABLE","annotation":""}` + "\n", ""},
		{"snapshot, fixed clock", []string{"--rule", "ACCESS_KEYS_ROTATED", "--param", "maxAccessKeyAge=30", "--now", "2024-01-20T00:00:00Z", snap}, ExitOK,
			`{"resourceType":"AWS::IAM::User","resourceId":"alice","complianceType":"COMPLIANT","annotation":""}` + "\n", ""},
		{"snapshot, later", []string{"--rule", "ACCESS_KEYS_ROTATED", "--now", "2024-06-01T00:00:00Z", snap}, ExitOK,
			`{"resourceType":"AWS::IAM::User","resourceId":"alice","complianceType":"NON_COMPLIANT","annotation":"Access keys not rotated in 90 days: AKIA1."}` + "\n", ""},
		{"bad parameter", []string{"--rule", "ACCESS_KEYS_ROTATED", "--param", "maxAccessKeyAge=ninety", snap}, ExitInvalid, "", `maxAccessKeyAge: "ninety" is not a non-negative integer`},
		{"bad parameter value", []string{"--rule", "S3_BUCKET_DEFAULT_LOCK_ENABLED", "--param", "mode=STRICT", snap}, ExitInvalid, "", `mode: "STRICT" is not GOVERNANCE or COMPLIANCE`},
		{"param without =", []string{"--rule", "ACCESS_KEYS_ROTATED", "--param", "maxAccessKeyAge", snap}, ExitUsage, "", "want K=V"},
		{"bad clock", []string{"--rule", "ACCESS_KEYS_ROTATED", "--now", "yesterday", snap}, ExitUsage, "", "--now"},
		{"unknown rule", []string{"--rule", "NOPE", snap}, ExitUsage, "", `no managed rule "NOPE"`},
		{"process check", []string{"--rule", "AWS_CONFIG_PROCESS_CHECK", snap}, ExitUsage, "", "AWS_CONFIG_PROCESS_CHECK is an AWS Config process check: a manual attestation, which no rule evaluates"},
		{"missing file", []string{"--rule", "INCOMING_SSH_DISABLED", filepath.Join(dir, "none.json")}, ExitInvalid, "", "none.json"},
		{"bad CI", []string{"--rule", "INCOMING_SSH_DISABLED", write("bad.json", `{"items":[{"resourceId":"x"}]}`)}, ExitInvalid, "", "items[0]"},
	} {
		code, out, errs := cli(append([]string{"rules", "eval"}, tc.args...)...)
		if code != tc.code || out != tc.out || !strings.Contains(errs, tc.err) {
			t.Errorf("%s: exit %d, out %q, err %q; want %d, %q, %q", tc.name, code, out, errs, tc.code, tc.out, tc.err)
		}
	}

	code, out, errs := cli("rules", "test", filepath.Join("..", "..", "internal", "rules", "testdata", "cases"))
	if code != ExitOK || !strings.HasPrefix(out, "ok: ") {
		t.Errorf("test shipped cases = %d: %s %s", code, out, errs)
	}
	cases := filepath.Join(dir, "cases")
	os.Mkdir(cases, 0o700)
	os.WriteFile(filepath.Join(cases, "a.json"), []byte(`{"rule":"INCOMING_SSH_DISABLED","cases":[{"name":"wrong","input":`+
		`{"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-1","configuration":{"ipPermissions":[]}},"expected":[{"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-1","complianceType":"NON_COMPLIANT"}]}]}`), 0o600)
	code, _, errs = cli("rules", "test", cases)
	if code != ExitInvalid || !strings.Contains(errs, "FAIL") || !strings.Contains(errs, "1 of 1 case(s) failed") {
		t.Errorf("failing case = %d: %s", code, errs)
	}
	os.WriteFile(filepath.Join(cases, "a.json"), []byte("{\n \"rule\": 5}"), 0o600)
	code, _, errs = cli("rules", "test", cases)
	if code != ExitInvalid || !strings.Contains(errs, "a.json:2:") {
		t.Errorf("broken case file = %d: %s", code, errs)
	}
}
