package apicall_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/collect/apicall"
	"github.com/probity-dev/probity/internal/collect/target"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/jobs"
)

// Only allowlisted read-only calls are made: any other keyword, mutating calls and
// near-misses included, is an EINVALID error that lists the allowlist, before AWS is
// reached at all.
func TestAllowlist(t *testing.T) {
	for _, kw := range apicall.Keywords() {
		if err := apicall.Validate(kw); err != nil {
			t.Errorf("Validate(%q) = %v", kw, err)
		}
		if _, action, _ := strings.Cut(kw, "_"); !strings.HasPrefix(action, "List") && !strings.HasPrefix(action, "Describe") && !strings.HasPrefix(action, "Get") {
			t.Errorf("allowlisted %q is not a List, Describe or Get call", kw)
		}
	}
	c := &apicall.Collector{
		Accounts: &target.Accounts{Load: func(context.Context) (aws.Config, error) {
			t.Fatal("AWS reached for a keyword outside the allowlist")
			return aws.Config{}, nil
		}},
		Blobs: evidence.Dir(t.TempDir()),
	}
	for _, kw := range []string{"", "iam_DeleteUser", "iam_CreateUser", "iam_listusers", "iam_ListUsers2", "ec2_TerminateInstances", "s3_DeleteBucket", "sts_AssumeRole"} {
		err := apicall.Validate(kw)
		if probity.ErrorCode(err) != probity.EINVALID || !strings.Contains(err.Error(), "iam_ListUsers, s3_ListBuckets") {
			t.Errorf("Validate(%q) = %v; want EINVALID listing the allowlist", kw, err)
		}
		task := jobs.Task{Collection: jobs.Collection{Source: probity.ControlMappingSource{SourceKeyword: &probity.SourceKeyword{KeywordValue: kw}}}, Target: "111122223333"}
		if _, err := c.Collect(t.Context(), task); probity.ErrorCode(err) != probity.EINVALID {
			t.Errorf("Collect(%q) = %v; want EINVALID", kw, err)
		}
	}
}
