package sigv4

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestVerifyPublishedVectors checks signatures published by AWS: the
// aws-sig-v4-test-suite (get-vanilla, get-vanilla-query-order-key-case) and
// the IAM ListUsers example of the SigV4 documentation.
func TestVerifyPublishedVectors(t *testing.T) {
	at := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	tests := []struct {
		name    string
		wire    string
		service string
	}{
		{"get-vanilla", "GET / HTTP/1.1\r\nHost: example.amazonaws.com\r\nX-Amz-Date: 20150830T123600Z\r\n" +
			"Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\r\n\r\n",
			"service"},
		{"get-vanilla-query-order-key-case", "GET /?Param2=value2&Param1=value1 HTTP/1.1\r\nHost: example.amazonaws.com\r\nX-Amz-Date: 20150830T123600Z\r\n" +
			"Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500\r\n\r\n",
			"service"},
		{"iam ListUsers", "GET /?Action=ListUsers&Version=2010-05-08 HTTP/1.1\r\nHost: iam.amazonaws.com\r\n" +
			"Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\nX-Amz-Date: 20150830T123600Z\r\n" +
			"Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7\r\n\r\n",
			"iam"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := received(t, tt.wire)
			v := &Verifier{Service: tt.service, Region: "us-east-1", Secret: testSecretFunc, Now: func() time.Time { return at }}
			got, err := v.Verify(r, body)
			checkErr(t, err, "", "")
			if got != testAKID {
				t.Errorf("access key id = %q, want %q", got, testAKID)
			}
		})
	}
}

// TestVerifyDateHeader covers requests dated with Date instead of
// X-Amz-Date. No SDK signs this way, so the request is signed with this
// package's own derivation; the test pins the date handling, not the crypto.
func TestVerifyDateHeader(t *testing.T) {
	date := testTime.Format(http.TimeFormat)
	build := func(signed string) (*http.Request, []byte) {
		wire := "GET /controls HTTP/1.1\r\nHost: h.example.com\r\nDate: " + date + "\r\n\r\n"
		r, body := received(t, wire)
		a := authorization{accessKeyID: testAKID, scopeDate: "20260314", region: testRegion, service: testService,
			signedHeaders: strings.Split(signed, ";"), signedRaw: signed}
		cr, ok := canonicalRequest(r, a, sha256Hex(body))
		if !ok {
			t.Fatalf("canonicalRequest failed")
		}
		sig := signature(testSecret, a, testTime.Format(amzDateLayout), cr)
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAKID+"/20260314/"+testRegion+"/"+testService+
			"/aws4_request, SignedHeaders="+signed+", Signature="+hexString(sig))
		return r, body
	}
	tests := []struct {
		name     string
		signed   string
		edit     func(*http.Request)
		wantCode string
	}{
		{name: "date signed", signed: "date;host"},
		{name: "date not signed", signed: "host", wantCode: CodeIncompleteSignature},
		{name: "malformed date", signed: "date;host", edit: func(r *http.Request) { r.Header.Set("Date", "yesterday") }, wantCode: CodeIncompleteSignature},
		{name: "date changed", signed: "date;host", edit: func(r *http.Request) {
			r.Header.Set("Date", testTime.Add(time.Second).Format(http.TimeFormat))
		}, wantCode: CodeInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := build(tt.signed)
			if tt.edit != nil {
				tt.edit(r)
			}
			_, err := testVerifier(testTime).Verify(r, body)
			checkErr(t, err, tt.wantCode, "")
		})
	}
}

func TestVerifyAcceptsRelaxedEquivalents(t *testing.T) {
	// '+' in a query means space, as in url.ParseQuery; clients such as
	// botocore send it for spaces they signed as %20.
	w := signedWire(t, spec{target: "/controls?nextToken=a%20b"})
	w = strings.Replace(w, "a%20b", "a+b", 1)
	r, body := received(t, w)
	if _, err := testVerifier(testTime).Verify(r, body); err != nil {
		t.Fatalf("Verify with '+' for space: %v", err)
	}
	// Header names are matched case-insensitively, whatever key r.Header uses.
	r, body = received(t, signedWire(t, spec{headers: [][2]string{{"X-Custom", "v"}}}))
	r.Header["x-custom"] = r.Header["X-Custom"]
	delete(r.Header, "X-Custom")
	if _, err := testVerifier(testTime).Verify(r, body); err != nil {
		t.Fatalf("Verify with a non-canonical header key: %v", err)
	}
}
