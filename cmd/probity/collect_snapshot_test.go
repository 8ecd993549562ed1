package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/mototest"
)

// motoEnv points the AWS configuration chain at moto (through its Endpoint, which answers
// what moto lacks with a 501), with moto's account's keys and
// no shared files of the machine.
func motoEnv(t *testing.T, m *mototest.Server) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_REGION": mototest.Region, "AWS_ENDPOINT_URL": m.Endpoint(t), "AWS_MAX_ATTEMPTS": "1",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	} {
		t.Setenv(k, v)
	}
}

// `probity collect --snapshot` writes the inventory of the caller's own account and of
// an account reached through --collect-role, one file per region, and `probity rules
// eval` replays the files: an unversioned bucket is NON_COMPLIANT, a user without MFA
// too, and the user appears only in the first region's file (global resources).
func TestCollectSnapshot(t *testing.T) {
	m := mototest.Start(t)
	motoEnv(t, m)
	ctx := context.Background()
	const own, other = "123456789012", "210987654321"
	for _, account := range []string{own, other} {
		cfg := m.Config()
		if account != own {
			var err error
			if cfg, err = (awsconf.Role{Name: "Auditor"}).ForAccount(ctx, cfg, account); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx,
			&s3.CreateBucketInput{Bucket: aws.String("logs-" + account)}); err != nil {
			t.Fatal(err)
		}
		if _, err := iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(ctx, args, testEnv(nil, &out, &errb))
		return code, out.String(), errb.String()
	}
	dir := t.TempDir()
	for _, account := range []string{own, other} {
		file := filepath.Join(dir, account+"-{region}.json")
		code, out, errs := run("collect", "--snapshot", file, "--account", account, "--collect-role", "Auditor", "--region", "us-east-1", "--region", "eu-west-1")
		if code != 0 || strings.Count(out, "\n") != 2 {
			t.Fatalf("collect --snapshot for %s = %d, %q, %q; want 0 and a line per region", account, code, out, errs)
		}
		east, west := strings.ReplaceAll(file, "{region}", "us-east-1"), strings.ReplaceAll(file, "{region}", "eu-west-1")
		for _, c := range []struct {
			rule, file, want string
		}{
			{"S3_BUCKET_VERSIONING_ENABLED", east, `{"resourceType":"AWS::S3::Bucket","resourceId":"logs-` + account + `","complianceType":"NON_COMPLIANT","annotation":"Versioning is not enabled."}` + "\n"},
			{"S3_BUCKET_VERSIONING_ENABLED", west, ""},
			{"IAM_USER_MFA_ENABLED", east, `{"resourceType":"AWS::IAM::User","resourceId":"carol","complianceType":"NON_COMPLIANT","annotation":"The user has no MFA device."}` + "\n"},
			{"IAM_USER_MFA_ENABLED", west, ""},
		} {
			code, out, errs := run("rules", "eval", "--rule", c.rule, c.file)
			if code != 0 || out != c.want {
				t.Errorf("rules eval --rule %s %s = %d, %q, %q; want %q", c.rule, filepath.Base(c.file), code, out, errs, c.want)
			}
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"collect", "--snapshot", filepath.Join(dir, "x.json")}, "--snapshot needs --account, 12 digits"},
		{[]string{"collect", "--snapshot", filepath.Join(dir, "x.json"), "--account", own, "--region", "us-east-1", "--region", "eu-west-1"}, "must contain {region}"},
		{[]string{"collect", "--snapshot", filepath.Join(dir, "x.json"), "--account", own, "--assessment", "a1"}, "exclusive"},
		{[]string{"collect", "--snapshot", filepath.Join(dir, "x.json"), "--account", own, "--collect-role", "bad role"}, "--collect-role"},
		{[]string{"collect", "--snapshot", filepath.Join(dir, "x.json"), "--account", own, "--region", "US East"}, "--region"},
		{[]string{"collect", "--assessment", "a1", "--region", "us-east-1"}, "--region goes with --snapshot"},
	} {
		if code, _, errs := run(c.args...); code != ExitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v = %d, %q; want a usage error with %q", c.args, code, errs, c.want)
		}
	}
}
