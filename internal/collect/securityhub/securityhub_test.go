package securityhub_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/collect/securityhub"
	"github.com/probity-dev/probity/internal/collect/target"
	"github.com/probity-dev/probity/internal/jobs"
)

func TestCompliance(t *testing.T) {
	for _, c := range []struct {
		status types.ComplianceStatus
		want   string
	}{
		{types.ComplianceStatusPassed, probity.ComplianceCompliant},
		{types.ComplianceStatusFailed, probity.ComplianceNonCompliant},
		{types.ComplianceStatusWarning, ""},
		{types.ComplianceStatusNotAvailable, ""},
		{"", ""},
	} {
		if got := securityhub.Compliance(c.status); got != c.want {
			t.Errorf("Compliance(%q) = %q, want %q", c.status, got, c.want)
		}
	}
}

// A keyword that is not a control id is refused before any AWS call.
func TestBadKeyword(t *testing.T) {
	c := &securityhub.Collector{Accounts: &target.Accounts{}} // no AWS configuration: any call fails
	for _, kw := range []string{"", "IAM", "IAM.", "IAM.1; drop", "arn:aws:securityhub:::control/IAM.1", ".1"} {
		task := jobs.Task{Collection: jobs.Collection{Source: probity.ControlMappingSource{SourceKeyword: &probity.SourceKeyword{KeywordValue: kw}}}, Target: "111122223333"}
		if _, err := c.Collect(t.Context(), task); probity.ErrorCode(err) != probity.EINVALID {
			t.Errorf("keyword %q: %v, want EINVALID", kw, err)
		}
	}
}
