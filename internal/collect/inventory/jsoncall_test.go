package inventory

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestJSONCall checks jsonCall's request (target, content type, SigV4 scope) and how it
// reads answers: the decoded output, and for errors the status and AWS error code (from
// X-Amzn-ErrorType or __type, namespace and suffix cut) that unavailable and errorCode
// read, for both protocol versions.
func TestJSONCall(t *testing.T) {
	for _, c := range []struct {
		name     string
		api      jsonAPI
		status   int
		header   string // X-Amzn-ErrorType
		body     string
		wantOut  string
		wantCode string
		wantHTTP int // the status the error carries; 0 for success
		wantSkip bool
	}{
		{"ok 1.0", backupGateway, 200, "", `{"Name":"vm"}`, "vm", "", 0, false},
		{"ok 1.1", fraudDetector, 200, "", `{"Name":"label"}`, "label", "", 0, false},
		{"__type with namespace", fraudDetector, 400, "", `{"__type":"com.amazonaws.x#ValidationException","message":"bad"}`, "", "ValidationException", 400, false},
		{"header wins, suffix cut", backupGateway, 400, "ResourceNotFoundException:http://internal", `{"__type":"Other"}`, "", "ResourceNotFoundException", 400, false},
		{"access denied", backupGateway, 403, "", `{"__type":"AccessDeniedException","message":"no"}`, "", "AccessDeniedException", 403, true},
		{"404 without a code", fraudDetector, 404, "", `<html>not found</html>`, "", "", 404, true},
		{"500 without a code", backupGateway, 500, "", `oops`, "", "", 500, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var gotTarget, gotType, gotAuth string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotTarget, gotType, gotAuth = r.Header.Get("X-Amz-Target"), r.Header.Get("Content-Type"), r.Header.Get("Authorization")
				if c.header != "" {
					w.Header().Set("X-Amzn-ErrorType", c.header)
				}
				w.WriteHeader(c.status)
				_, _ = io.WriteString(w, c.body)
			}))
			defer srv.Close()
			cfg := aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL),
				Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")}
			var out struct{ Name string }
			err := jsonCall(context.Background(), cfg, c.api, "Op", map[string]any{"a": 1}, &out)
			if gotTarget != c.api.target+"Op" || gotType != "application/x-amz-json-"+c.api.version ||
				!strings.Contains(gotAuth, "/eu-west-1/"+c.api.service+"/aws4_request") {
				t.Errorf("request: target %q, content type %q, authorization %q", gotTarget, gotType, gotAuth)
			}
			if c.wantHTTP == 0 {
				if err != nil || out.Name != c.wantOut {
					t.Fatalf("jsonCall = %v, out %+v; want %q", err, out, c.wantOut)
				}
				return
			}
			var re *smithyhttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != c.wantHTTP {
				t.Fatalf("jsonCall error %v, want a response error with status %d", err, c.wantHTTP)
			}
			if got := errorCode(err); got != c.wantCode {
				t.Errorf("errorCode = %q, want %q (%v)", got, c.wantCode, err)
			}
			if got := unavailable(err); got != c.wantSkip {
				t.Errorf("unavailable = %v, want %v (%v)", got, c.wantSkip, err)
			}
		})
	}
}
