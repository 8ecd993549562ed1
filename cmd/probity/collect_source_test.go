package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/probity-dev/probity/internal/mototest"
)

// --collect-source (else PROBITY_COLLECT_SOURCE) says where `probity collect` reads
// configuration items: a bad value is a usage error, config fails where AWS Config
// records nothing, auto falls back to the inventory there, and the flag wins over the
// variable.
func TestCollectSource(t *testing.T) {
	m := mototest.Start(t)
	motoEnv(t, m)
	ctx := context.Background()
	const own = "123456789012"
	file := filepath.Join(t.TempDir(), "inv.json")
	run := func(vars map[string]string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(ctx, append([]string{"collect", "--snapshot", file, "--account", own, "--collect-role", "Auditor"}, args...), testEnv(vars, &out, &errb))
		return code, out.String(), errb.String()
	}
	for _, c := range []struct {
		name     string
		vars     map[string]string
		args     []string
		code     int
		want     string // in stdout, or stderr when code is not 0
		recorder bool   // a recorder of SNS topics is started first
	}{
		{"bad flag", nil, []string{"--collect-source", "cfg"}, ExitUsage, "--collect-source", false},
		{"bad variable", map[string]string{"PROBITY_COLLECT_SOURCE": "cfg"}, nil, ExitUsage, "--collect-source", false},
		{"config without a recorder", nil, []string{"--collect-source", "config"}, ExitInvalid, "no configuration recorder", false},
		{"variable config, flag auto", map[string]string{"PROBITY_COLLECT_SOURCE": "config"}, []string{"--collect-source", "auto"}, 0, "items\n", false},
		{"default", nil, nil, 0, "items\n", false},
		{"config with a recorder", map[string]string{"PROBITY_COLLECT_SOURCE": "config"}, nil, 0, "from AWS Config: AWS::SNS::Topic\n", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.recorder {
				cs := configservice.NewFromConfig(m.Config())
				if _, err := cs.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cstypes.ConfigurationRecorder{
					Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::" + own + ":role/config"),
					RecordingGroup: &cstypes.RecordingGroup{ResourceTypes: []cstypes.ResourceType{"AWS::SNS::Topic"}}}}); err != nil {
					t.Fatal(err)
				}
				if _, err := cs.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cstypes.DeliveryChannel{
					Name: aws.String("default"), S3BucketName: aws.String("config-" + own)}}); err != nil {
					t.Fatal(err)
				}
				if _, err := cs.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
					t.Fatal(err)
				}
			}
			code, out, errs := run(c.vars, c.args...)
			got := out
			if c.code != 0 {
				got = errs
			}
			if code != c.code || !strings.Contains(got, c.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and %q", code, out, errs, c.code, c.want)
			}
		})
	}
}
