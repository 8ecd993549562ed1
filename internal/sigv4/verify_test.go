package sigv4

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/probity-dev/probity/internal/auth"
)

func TestVerifyAcceptsSDKSignedRequests(t *testing.T) {
	tests := []struct {
		name string
		spec spec
		now  time.Time
	}{
		{name: "root GET", spec: spec{}},
		{name: "GetControl plain id", spec: spec{target: "/controls/0a1b2c3d-4e5f-6789-abcd-ef0123456789"}},
		{name: "path with space", spec: spec{target: "/controls/my%20control"}},
		{name: "path with unicode", spec: spec{target: "/controls/%C3%BCnic%C3%B8d%C3%A9-%E2%9C%93"}},
		{name: "path with escaped slash", spec: spec{target: "/controls/a%2Fb%2F%2Fc"}},
		{name: "path with reserved chars", spec: spec{target: "/controls/a%2Bb%3Dc%26d%3Fe%23f%25g"}},
		{name: "path with sub-delims unescaped", spec: spec{target: "/controls/a+b=c:d@e!$'()*,;"}},
		{name: "path with dot segments kept", spec: spec{target: "/controls/./a/../b//c"}},
		{name: "ListControls query", spec: spec{target: "/controls?controlType=Standard&maxResults=10&nextToken=abc"}},
		{name: "query needing encoding", spec: spec{target: "/controls?nextToken=a%20b%2Bc%2Fd%3De&controlCatalogId=arn%3Aaws%3Acontrolcatalog%3A%3A%3Adomain%2Fx%C3%BC"}},
		{name: "query plus means space", spec: spec{target: "/controls?nextToken=a+b"}},
		{name: "query repeated keys and empty values", spec: spec{target: "/controls?b=2&a=&b=1&c&a-b=x&a%2Fb=y"}},
		{name: "query unsorted with tilde", spec: spec{target: "/controls?z=~&y=-_.&x=%7E"}},
		{name: "POST JSON body", spec: spec{
			method:  http.MethodPost,
			target:  "/controls",
			body:    `{"name":"ctl ü","controlMappingSources":[{"sourceName":"s","sourceSetUpOption":"Procedural_Controls_Mapping","sourceType":"MANUAL"}]}`,
			headers: [][2]string{{"Content-Type", "application/json"}},
		}},
		{name: "PUT with id and body", spec: spec{
			method: http.MethodPut, target: "/controls/id%20with%20space", body: `{"name":"x"}`,
			headers: [][2]string{{"Content-Type", "application/json"}},
		}},
		{name: "session token", spec: spec{creds: aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret, SessionToken: "FwoGZXIvYXdzEJr//////////token=="}}},
		{name: "header with extra spaces", spec: spec{headers: [][2]string{{"X-Custom", "  a   b  c  "}}}},
		{name: "multi-valued header", spec: spec{headers: [][2]string{{"X-Custom", "one"}, {"X-Custom", " two "}}}},
		{name: "correct X-Amz-Content-Sha256", spec: spec{
			method: http.MethodPost, target: "/controls", body: "{}",
			headers: [][2]string{{"X-Amz-Content-Sha256", sha256Hex([]byte("{}"))}},
		}},
		{name: "14 minutes slow clock", spec: spec{}, now: testTime.Add(14 * time.Minute)},
		{name: "14 minutes fast clock", spec: spec{}, now: testTime.Add(-14 * time.Minute)},
		{name: "exactly 15 minutes", spec: spec{}, now: testTime.Add(15 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.now
			if now.IsZero() {
				now = testTime
			}
			r, body := received(t, signedWire(t, tt.spec))
			got, err := testVerifier(now).Verify(r, body)
			checkErr(t, err, "", "")
			if got != testAKID {
				t.Errorf("access key id = %q, want %q", got, testAKID)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	post := spec{method: http.MethodPost, target: "/controls?x=1", body: `{"name":"a"}`,
		headers: [][2]string{{"Content-Type", "application/json"}, {"X-Custom", "v"}}}
	const (
		incompl = CodeIncompleteSignature
		invalid = CodeInvalidSignature
	)
	tests := []struct {
		name     string
		spec     spec
		wire     func(string) string      // edits the wire form before parsing
		mutate   func(*http.Request)      // edits the parsed request
		verifier func(v *Verifier)        // edits the verifier
		body     func(body []byte) []byte // edits the body handed to Verify
		wantCode string
		wantMsg  string
	}{
		{name: "wrong secret", spec: spec{creds: aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: "wrong"}}, wantCode: invalid, wantMsg: msgMismatch},
		{name: "unknown key", spec: spec{creds: aws.Credentials{AccessKeyID: "AKIDUNKNOWN", SecretAccessKey: testSecret}},
			wantCode: CodeUnrecognizedClient, wantMsg: "The security token included in the request is invalid."},
		{name: "unknown key wrapped", verifier: func(v *Verifier) {
			v.Secret = func(context.Context, string) (string, error) { return "", fmt.Errorf("db: %w", auth.ErrUnknownKey) }
		}, wantCode: CodeUnrecognizedClient},
		{name: "clock 16 minutes ahead", verifier: func(v *Verifier) { v.Now = func() time.Time { return testTime.Add(16 * time.Minute) } },
			wantCode: invalid, wantMsg: "Signature expired"},
		{name: "clock 16 minutes behind", verifier: func(v *Verifier) { v.Now = func() time.Time { return testTime.Add(-16 * time.Minute) } },
			wantCode: invalid, wantMsg: "Signature expired"},
		{name: "custom MaxSkew", verifier: func(v *Verifier) {
			v.MaxSkew = time.Minute
			v.Now = func() time.Time { return testTime.Add(61 * time.Second) }
		}, wantCode: invalid, wantMsg: "Signature expired"},
		{name: "tampered body", spec: post, body: func(b []byte) []byte { return []byte(strings.Replace(string(b), `"a"`, `"b"`, 1)) },
			wantCode: invalid, wantMsg: msgMismatch},
		{name: "tampered body on the wire", spec: post, wire: func(w string) string { return strings.Replace(w, `"a"`, `"b"`, 1) },
			wantCode: invalid, wantMsg: msgMismatch},
		{name: "tampered path", spec: spec{target: "/controls/abc"}, wire: func(w string) string { return strings.Replace(w, "/controls/abc", "/controls/abd", 1) },
			wantCode: invalid, wantMsg: msgMismatch},
		{name: "path escaping changed", spec: spec{target: "/controls/a%2Fb"}, wire: func(w string) string { return strings.Replace(w, "a%2Fb", "a/b", 1) },
			wantCode: invalid, wantMsg: msgMismatch},
		{name: "tampered query value", spec: spec{target: "/controls?maxResults=10"}, wire: func(w string) string { return strings.Replace(w, "maxResults=10", "maxResults=11", 1) },
			wantCode: invalid, wantMsg: msgMismatch},
		{name: "query parameter added", spec: spec{target: "/controls?maxResults=10"}, wire: func(w string) string { return strings.Replace(w, "maxResults=10", "maxResults=10&a=b", 1) },
			wantCode: invalid, wantMsg: msgMismatch},
		{name: "invalid query escape", spec: spec{target: "/controls?maxResults=10"}, wire: func(w string) string { return strings.Replace(w, "maxResults=10", "maxResults=%zz", 1) },
			wantCode: invalid, wantMsg: msgMismatch},
		{name: "method changed", spec: spec{target: "/controls/abc"}, wire: func(w string) string { return "DELETE" + strings.TrimPrefix(w, "GET") },
			wantCode: invalid, wantMsg: msgMismatch},
		{name: "signed header value changed", spec: post, mutate: func(r *http.Request) { r.Header.Set("X-Custom", "w") }, wantCode: invalid, wantMsg: msgMismatch},
		{name: "signed header absent", spec: post, mutate: func(r *http.Request) { r.Header.Del("X-Custom") }, wantCode: invalid, wantMsg: msgMismatch},
		{name: "host changed", mutate: func(r *http.Request) { r.Host = "evil.example.com" }, wantCode: invalid, wantMsg: msgMismatch},
		{name: "host not signed", mutate: func(r *http.Request) { setParam(r, "SignedHeaders", "x-amz-date") }, wantCode: incompl},
		{name: "x-amz-date not signed", mutate: func(r *http.Request) { setParam(r, "SignedHeaders", "host") }, wantCode: incompl},
		{name: "X-Amz-Date missing", mutate: func(r *http.Request) { r.Header.Del("X-Amz-Date") }, wantCode: incompl},
		{name: "X-Amz-Date malformed", mutate: func(r *http.Request) { r.Header.Set("X-Amz-Date", "2026-03-14T15:09:26Z") }, wantCode: incompl},
		{name: "X-Amz-Date changed", mutate: func(r *http.Request) { r.Header.Set("X-Amz-Date", "20260314T150927Z") }, wantCode: invalid, wantMsg: msgMismatch},
		{name: "two X-Amz-Date headers", mutate: func(r *http.Request) { r.Header.Add("X-Amz-Date", "20260314T150927Z") }, wantCode: incompl},
		{name: "wrong region", spec: spec{region: "eu-west-1"}, wantCode: invalid, wantMsg: msgMismatch},
		{name: "wrong service", spec: spec{service: "s3"}, wantCode: invalid, wantMsg: msgMismatch},
		{name: "scope date mismatch", mutate: func(r *http.Request) {
			setParam(r, "Credential", strings.Replace(param(r, "Credential"), "20260314", "20260313", 1))
		}, wantCode: invalid, wantMsg: msgMismatch},
		{name: "signature flipped", mutate: func(r *http.Request) {
			sig := []byte(param(r, "Signature"))
			sig[10] = "01"[(sig[10]+1)%2]
			setParam(r, "Signature", string(sig))
		}, wantCode: invalid, wantMsg: msgMismatch},
		{name: "content sha256 mismatch", spec: spec{method: http.MethodPost, target: "/controls", body: "{}",
			headers: [][2]string{{"X-Amz-Content-Sha256", sha256Hex([]byte("other"))}}, payloadHash: sha256Hex([]byte("other"))},
			wantCode: invalid, wantMsg: msgMismatch},
		{name: "UNSIGNED-PAYLOAD", spec: spec{method: http.MethodPost, target: "/controls", body: "{}",
			headers: [][2]string{{"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"}}, payloadHash: "UNSIGNED-PAYLOAD"},
			wantCode: invalid, wantMsg: msgMismatch},
		{name: "no Authorization", mutate: func(r *http.Request) { r.Header.Del("Authorization") },
			wantCode: CodeMissingAuthenticationToken},
		{name: "two Authorization headers", mutate: func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) },
			wantCode: incompl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := signedWire(t, tt.spec)
			if tt.wire != nil {
				w = tt.wire(w)
			}
			r, body := received(t, w)
			if tt.mutate != nil {
				tt.mutate(r)
			}
			if tt.body != nil {
				body = tt.body(body)
			}
			v := testVerifier(testTime)
			if tt.verifier != nil {
				tt.verifier(v)
			}
			got, err := v.Verify(r, body)
			checkErr(t, err, tt.wantCode, tt.wantMsg)
			if got != "" {
				t.Errorf("access key id = %q, want empty on failure", got)
			}
		})
	}
}

func TestVerifyRejectsMalformedAuthorization(t *testing.T) {
	r0, _ := received(t, signedWire(t, spec{}))
	good := r0.Header.Get("Authorization")
	cred := param(r0, "Credential")
	sig := param(r0, "Signature")
	hdr := func(c, sh, s string) string {
		return "AWS4-HMAC-SHA256 Credential=" + c + ", SignedHeaders=" + sh + ", Signature=" + s
	}
	var many []string
	for i := range maxSignedHeaders + 1 {
		many = append(many, fmt.Sprintf("h%03d", i))
	}
	tests := []struct {
		name  string
		authz string
	}{
		{"empty", ""},
		{"algorithm only", "AWS4-HMAC-SHA256"},
		{"wrong algorithm", strings.Replace(good, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1)},
		{"SigV4a algorithm", strings.Replace(good, "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1)},
		{"lowercase algorithm", strings.Replace(good, "AWS4-HMAC-SHA256", "aws4-hmac-sha256", 1)},
		{"missing Credential", "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=" + sig},
		{"missing SignedHeaders", "AWS4-HMAC-SHA256 Credential=" + cred + ", Signature=" + sig},
		{"missing Signature", "AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=host;x-amz-date"},
		{"empty Signature", hdr(cred, "host;x-amz-date", "")},
		{"duplicate parameter", good + ", Signature=" + sig},
		{"unknown parameter", good + ", Foo=bar"},
		{"trailing comma", good + ","},
		{"parameter without =", "AWS4-HMAC-SHA256 Credential, SignedHeaders=host;x-amz-date, Signature=" + sig},
		{"credential with 4 parts", hdr("AKIDEXAMPLE/20260314/us-east-1/aws4_request", "host;x-amz-date", sig)},
		{"credential with 6 parts", hdr("AKIDEXAMPLE/x/20260314/us-east-1/auditmanager/aws4_request", "host;x-amz-date", sig)},
		{"empty access key", hdr("/20260314/us-east-1/auditmanager/aws4_request", "host;x-amz-date", sig)},
		{"empty region", hdr("AKIDEXAMPLE/20260314//auditmanager/aws4_request", "host;x-amz-date", sig)},
		{"bad terminator", hdr("AKIDEXAMPLE/20260314/us-east-1/auditmanager/aws5_request", "host;x-amz-date", sig)},
		{"bad scope date", hdr("AKIDEXAMPLE/2026-03-14/us-east-1/auditmanager/aws4_request", "host;x-amz-date", sig)},
		{"impossible scope date", hdr("AKIDEXAMPLE/20261399/us-east-1/auditmanager/aws4_request", "host;x-amz-date", sig)},
		{"short signature", hdr(cred, "host;x-amz-date", sig[:63])},
		{"long signature", hdr(cred, "host;x-amz-date", sig+"0")},
		{"uppercase signature", hdr(cred, "host;x-amz-date", strings.ToUpper(sig))},
		{"non-hex signature", hdr(cred, "host;x-amz-date", "g"+sig[1:])},
		{"unsorted SignedHeaders", hdr(cred, "x-amz-date;host", sig)},
		{"uppercase SignedHeaders", hdr(cred, "Host;X-Amz-Date", sig)},
		{"duplicate SignedHeaders", hdr(cred, "host;host;x-amz-date", sig)},
		{"empty SignedHeaders entry", hdr(cred, "host;;x-amz-date", sig)},
		{"SignedHeaders with space", hdr(cred, "host; x-amz-date", sig)},
		{"too many SignedHeaders", hdr(cred, "host;"+strings.Join(many, ";")+";x-amz-date", sig)},
		{"header too long", good + strings.Repeat(" ", maxAuthorizationLen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := received(t, signedWire(t, spec{}))
			r.Header.Set("Authorization", tt.authz)
			_, err := testVerifier(testTime).Verify(r, body)
			checkErr(t, err, CodeIncompleteSignature, "")
		})
	}
}

func TestVerifyReplayAfterSkewWindow(t *testing.T) {
	wire := signedWire(t, spec{method: http.MethodPost, target: "/controls", body: `{"name":"a"}`})
	tests := []struct {
		name     string
		now      time.Time
		wantCode string
	}{
		{"original", testTime, ""},
		{"replay within window", testTime.Add(10 * time.Minute), ""},
		{"replay after window", testTime.Add(15*time.Minute + time.Second), CodeInvalidSignature},
		{"replay a day later", testTime.Add(24 * time.Hour), CodeInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := received(t, wire)
			_, err := testVerifier(tt.now).Verify(r, body)
			want := ""
			if tt.wantCode != "" {
				want = "Signature expired"
			}
			checkErr(t, err, tt.wantCode, want)
		})
	}
}

func TestVerifySecretFailure(t *testing.T) {
	boom := errors.New("database down")
	r, body := received(t, signedWire(t, spec{}))
	v := testVerifier(testTime)
	v.Secret = func(context.Context, string) (string, error) { return "", boom }
	_, err := v.Verify(r, body)
	var e *Error
	if errors.As(err, &e) || !errors.Is(err, boom) {
		t.Fatalf("Verify error = %v, want a wrapped %v that is not an *Error", err, boom)
	}
}

func TestVerifyDefaultClockAndNilRequest(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	r, body := received(t, signedWire(t, spec{at: now}))
	v := testVerifier(now)
	v.Now = nil
	if _, err := v.Verify(r, body); err != nil {
		t.Fatalf("Verify with time.Now clock: %v", err)
	}
	_, err := v.Verify(nil, nil)
	checkErr(t, err, CodeIncompleteSignature, "")
}
