package sigv4

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// botoRequest is one request in the input and output of testdata/sign_botocore.py.
type botoRequest struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Params  map[string]string `json:"params,omitempty"`
	Body    string            `json:"body"`
}

// signWithBotocore signs reqs with botocore.auth.SigV4Auth. Without python3 and botocore
// it skips the test on a developer's machine and fails it in CI, where they are installed.
func signWithBotocore(t *testing.T, token string, reqs []botoRequest) []botoRequest {
	t.Helper()
	skip := t.Skipf
	if os.Getenv("CI") != "" {
		skip = t.Fatalf
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		skip("python3 not found in PATH; skipping the botocore cross-check")
	}
	if err := exec.Command(py, "-c", "import botocore").Run(); err != nil {
		skip("python3 cannot import botocore; skipping the botocore cross-check")
	}
	in, err := json.Marshal(map[string]any{
		"access_key": testAKID, "secret_key": testSecret, "token": token,
		"region": testRegion, "service": testService, "requests": reqs,
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "testdata/sign_botocore.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sign_botocore.py: %v\n%s", err, stderr.String())
	}
	var signed []botoRequest
	if err := json.Unmarshal(out, &signed); err != nil {
		t.Fatalf("decoding sign_botocore.py output: %v\n%s", err, out)
	}
	if len(signed) != len(reqs) {
		t.Fatalf("sign_botocore.py returned %d requests, want %d", len(signed), len(reqs))
	}
	return signed
}

// sendRaw writes r byte for byte to the server at hostport and returns the status.
func sendRaw(t *testing.T, hostport string, r botoRequest) int {
	t.Helper()
	target, ok := strings.CutPrefix(r.URL, "http://"+hostport)
	if !ok {
		t.Fatalf("url %q is not on %s", r.URL, hostport)
	}
	conn, err := net.DialTimeout("tcp", hostport, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", r.Method, target, hostport)
	for k, v := range r.Headers {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	if _, ok := r.Headers["Content-Length"]; !ok && r.Body != "" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(r.Body))
	}
	b.WriteString("\r\n" + r.Body)
	if _, err := conn.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestVerifyBotocoreSigned(t *testing.T) {
	srv := newVerifyServer(t, &Verifier{Service: testService, Region: testRegion, Secret: testSecretFunc})
	hostport := strings.TrimPrefix(srv.URL, "http://")
	base := srv.URL
	reqs := []botoRequest{
		{Method: "GET", URL: base + "/controls/4f6d0b8e-5c6a-4a55-9f3e-0c1d2e3f4a5b"},
		{Method: "GET", URL: base + "/controls/my%20control"},
		{Method: "GET", URL: base + "/controls/contr%C3%B4le-%E2%9C%93"},
		{Method: "GET", URL: base + "/controls/a%2Fb%252F"},
		{Method: "GET", URL: base + "/controls?controlType=Standard&nextToken=a%20b%2Fc&maxResults=5"},
		{Method: "GET", URL: base + "/controls", Params: map[string]string{"controlType": "Custom", "nextToken": "tok en+/=ü", "b": ""}},
		{Method: "POST", URL: base + "/controls", Headers: map[string]string{"Content-Type": "application/json"},
			Body: `{"name":"Encryption ü","controlMappingSources":[{"sourceName":"m","sourceType":"MANUAL"}]}`},
		{Method: "PUT", URL: base + "/controls/id%20x", Headers: map[string]string{"Content-Type": "application/json", "X-Custom": "  a   b  "},
			Body: `{"name":"x"}`},
		{Method: "DELETE", URL: base + "/controls/abc"},
	}
	var plain []botoRequest // signed without a session token, reused below
	for _, token := range []string{"", "IQoJb3JpZ2luX2VjEJr//////////token+="} {
		signed := signWithBotocore(t, token, reqs)
		if token == "" {
			plain = signed
		}
		for i, r := range signed {
			t.Run(fmt.Sprintf("token=%t/%s %s", token != "", r.Method, strings.TrimPrefix(reqs[i].URL, base)), func(t *testing.T) {
				status := sendRaw(t, hostport, r)
				key, uri, verr := srv.last()
				if status != http.StatusOK || verr != nil || key != testAKID {
					t.Fatalf("status %d, Verify error %v, key %q for %s %s", status, verr, key, r.Method, uri)
				}
			})
		}
	}
	t.Run("tampered", func(t *testing.T) {
		signed := plain
		tests := []struct {
			name   string
			r      botoRequest
			tamper func(*botoRequest)
		}{
			{"body", signed[6], func(r *botoRequest) { r.Body = strings.Replace(r.Body, "MANUAL", "MANUAX", 1) }},
			{"path", signed[1], func(r *botoRequest) { r.URL = strings.Replace(r.URL, "my%20control", "my%20contro1", 1) }},
			{"query", signed[5], func(r *botoRequest) { r.URL = strings.Replace(r.URL, "Custom", "Standard", 1) }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := tt.r
				r.Headers = map[string]string{}
				for k, v := range tt.r.Headers {
					r.Headers[k] = v
				}
				tt.tamper(&r)
				status := sendRaw(t, hostport, r)
				_, _, verr := srv.last()
				if status != http.StatusForbidden {
					t.Errorf("status = %d, want 403", status)
				}
				checkErr(t, verr, CodeInvalidSignature, msgMismatch)
			})
		}
	})
}
