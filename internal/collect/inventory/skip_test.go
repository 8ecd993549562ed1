package inventory_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
)

// failing returns an endpoint that forwards to moto, except that requests signed for
// service answer status with body (an emulator lacking the API, a role denied it, or a
// server error).
func failing(t *testing.T, m *mototest.Server, service string, status int, body string) string {
	t.Helper()
	return recordedURL(t, m, func(c recordedCall) (int, string, bool) {
		return status, body, strings.Contains(c.R.Header.Get("Authorization"), "/"+service+"/aws4_request")
	})
}

// A part whose API is unavailable (an emulator's 404 or 501 without an AWS error, or an
// access-denied error) is recorded in Skipped and its facts are left out, so the rules
// that need them give no result; any other failure fails the snapshot, to be retried.
func TestSnapshotSkipsUnavailableParts(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	for _, c := range []struct {
		name, service string
		status        int
		body          string
		skipped       string // the part recorded, "" when the snapshot must fail
		absent        string // the fact left out
	}{
		{"emulator lacks the API", "guardduty", 501, "<html>Not Implemented</html>", "guardduty", "guardduty.Detectors"},
		{"emulator lacks the URL", "securityhub", 404, "<html>Not Found</html>", "securityhub", "securityhub.Hub"},
		{"role may not", "organizations", 400, `{"__type":"AccessDeniedException","message":"no"}`, "organizations", "organizations.Organization"},
		{"server error", "kms", 400, `{"__type":"KMSInternalException","message":"boom"}`, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := m.Config()
			cfg.BaseEndpoint = aws.String(failing(t, m, c.service, c.status, c.body))
			snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: "123456789012", Region: mototest.Region, Global: true})
			if c.skipped == "" {
				if err == nil || !strings.Contains(err.Error(), c.service) {
					t.Fatalf("snapshot = %v; want it to fail naming %s", err, c.service)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if skipped := withoutMotoGaps(snap.Skipped); len(skipped) != 1 || skipped[0].Part != c.skipped {
				t.Fatalf("skipped %+v, want only %s", snap.Skipped, c.skipped)
			}
			var buf bytes.Buffer
			if _, err := snap.WriteTo(&buf); err != nil {
				t.Fatal(err)
			}
			dec := ci.NewDecoder(&buf)
			for {
				if _, err := dec.Next(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
			}
			acct := dec.Account()
			if acct.Has(c.absent) || !acct.Has("iam.PasswordPolicy") || !acct.Has("ec2.FlowLogs") {
				t.Errorf("facts: %s present %v (want absent); others present %v, %v", c.absent, acct.Has(c.absent), acct.Has("iam.PasswordPolicy"), acct.Has("ec2.FlowLogs"))
			}
		})
	}
}
