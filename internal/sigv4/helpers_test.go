package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/probity-dev/probity/internal/auth"
)

const (
	testAKID    = "AKIDEXAMPLE"
	testSecret  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testRegion  = "us-east-1"
	testService = "auditmanager"
)

var testTime = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

var testCreds = aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}

// testSecretFunc knows only testAKID.
func testSecretFunc(_ context.Context, id string) (string, error) {
	if id == testAKID {
		return testSecret, nil
	}
	return "", auth.ErrUnknownKey
}

func testVerifier(now time.Time) *Verifier {
	return &Verifier{
		Service: testService,
		Region:  testRegion,
		Secret:  testSecretFunc,
		Now:     func() time.Time { return now },
	}
}

// spec describes a request to sign with the aws-sdk-go-v2 signer.
type spec struct {
	method  string
	target  string // escaped path and query as sent, e.g. "/controls/a%20b?x=1"
	body    string
	headers [][2]string // added (not set) before signing
	creds   aws.Credentials
	region  string
	service string
	at      time.Time
	// payloadHash overrides the SHA-256 of body given to the signer.
	payloadHash string
}

func (s spec) withDefaults() spec {
	if s.method == "" {
		s.method = http.MethodGet
	}
	if s.target == "" {
		s.target = "/"
	}
	if s.creds.AccessKeyID == "" {
		s.creds = testCreds
	}
	if s.region == "" {
		s.region = testRegion
	}
	if s.service == "" {
		s.service = testService
	}
	if s.at.IsZero() {
		s.at = testTime
	}
	return s
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// signedWire signs s with the SDK signer and returns the request in HTTP/1.1
// wire form, as a client would send it.
func signedWire(t testing.TB, s spec) string {
	t.Helper()
	s = s.withDefaults()
	r, err := http.NewRequest(s.method, "http://auditmanager.us-east-1.example.com"+s.target, strings.NewReader(s.body))
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	for _, h := range s.headers {
		r.Header.Add(h[0], h[1])
	}
	ph := s.payloadHash
	if ph == "" {
		ph = sha256Hex([]byte(s.body))
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), s.creds, r, ph, s.service, s.region, s.at); err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.String()
}

// received parses wire as a server does and returns the request and body.
func received(t testing.TB, wire string) (*http.Request, []byte) {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire)))
	if err != nil {
		t.Fatalf("ReadRequest: %v", err)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return r, body
}

// setParam replaces the value of one Authorization parameter (e.g. "SignedHeaders").
func setParam(r *http.Request, name, value string) {
	alg, params, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	parts := strings.Split(params, ", ")
	for i, p := range parts {
		if strings.HasPrefix(p, name+"=") {
			parts[i] = name + "=" + value
		}
	}
	r.Header.Set("Authorization", alg+" "+strings.Join(parts, ", "))
}

// param returns the value of one Authorization parameter.
func param(r *http.Request, name string) string {
	_, params, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	for _, p := range strings.Split(params, ", ") {
		if v, ok := strings.CutPrefix(p, name+"="); ok {
			return v
		}
	}
	return ""
}

// checkErr compares err with the wanted code and message ("" means any) and
// makes sure no secret material leaks into the message.
func checkErr(t *testing.T, err error, wantCode, wantMsg string) {
	t.Helper()
	if wantCode == "" {
		if err != nil {
			t.Fatalf("Verify error = %v, want nil", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Verify error = %v (%T), want *Error with code %s", err, err, wantCode)
	}
	if e.Code != wantCode {
		t.Errorf("code = %q, want %q (message %q)", e.Code, wantCode, e.Message)
	}
	if wantMsg != "" && e.Message != wantMsg {
		t.Errorf("message = %q, want %q", e.Message, wantMsg)
	}
	if e.HTTPStatus() != http.StatusForbidden {
		t.Errorf("HTTPStatus = %d, want 403", e.HTTPStatus())
	}
	if strings.Contains(e.Error(), testSecret) || strings.Contains(e.Error(), "\n") {
		t.Errorf("error %q leaks secret material or a canonical request", e.Error())
	}
}

func hexString(b []byte) string { return hex.EncodeToString(b) }
