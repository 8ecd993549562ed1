package inventory

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestUnavailable: which failures mean "this API cannot be used here" (the part is
// recorded as skipped) and which must fail the snapshot so that it is retried.
func TestUnavailable(t *testing.T) {
	resp := func(status int) *smithyhttp.Response {
		return &smithyhttp.Response{Response: &http.Response{StatusCode: status}}
	}
	wrap := func(err error) error { return fmt.Errorf("operation error WAF Regional: ListWebACLs: %w", err) }
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"access denied", &smithy.GenericAPIError{Code: "AccessDeniedException"}, true},
		{"not subscribed", &smithy.GenericAPIError{Code: "SubscriptionRequiredException"}, true},
		{"emulator 501 without a code", &smithyhttp.ResponseError{Response: resp(501), Err: errors.New("no body")}, true},
		{"emulator 404 without a code", &smithyhttp.ResponseError{Response: resp(404), Err: errors.New("no body")}, true},
		{"service not offered in the region: no such host", wrap(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "waf-regional.ap-east-2.amazonaws.com", IsNotFound: true}}), true},
		{"DNS timeout", wrap(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "i/o timeout", Name: "ec2.us-east-1.amazonaws.com", IsTimeout: true}}), false},
		{"connection refused", wrap(&net.OpError{Op: "dial", Err: errors.New("connection refused")}), false},
		{"server error", &smithyhttp.ResponseError{Response: resp(500), Err: errors.New("boom")}, false},
		{"throttled", &smithy.GenericAPIError{Code: "ThrottlingException"}, false},
	} {
		if got := unavailable(c.err); got != c.want {
			t.Errorf("%s: unavailable = %v, want %v", c.name, got, c.want)
		}
	}
}
