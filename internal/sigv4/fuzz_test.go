package sigv4

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// FuzzVerify feeds arbitrary Authorization header values and bodies to
// Verify, which must not panic and must report every failure as *Error
// (the Secret callback never fails with anything but auth.ErrUnknownKey here).
func FuzzVerify(f *testing.F) {
	wire := signedWire(f, spec{method: http.MethodPost, target: "/controls?maxResults=5", body: `{"name":"a"}`,
		headers: [][2]string{{"Content-Type", "application/json"}}})
	r0, body0 := received(f, wire)
	good := r0.Header.Get("Authorization")
	goodSig := param(r0, "Signature")
	f.Add(good, body0)
	f.Add(good, []byte{})
	f.Add(strings.Replace(good, "host;", "", 1), body0)
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=, Signature=", []byte("x"))
	f.Add("AWS4-HMAC-SHA256 ,,,==,Credential=////aws4_request", []byte(nil))
	f.Add("", []byte("{}"))
	v := testVerifier(testTime)
	f.Fuzz(func(t *testing.T, authz string, body []byte) {
		r, _ := received(t, wire)
		r.Header.Set("Authorization", authz)
		key, err := v.Verify(r, body)
		var e *Error
		switch {
		case err == nil:
			if key != testAKID {
				t.Fatalf("accepted with key %q", key)
			}
			// Parameter order and spacing may vary; signature and body may not.
			if !strings.Contains(authz, "Signature="+goodSig) || string(body) != string(body0) {
				t.Fatalf("accepted a modified request: authz %q body %q", authz, body)
			}
		case !errors.As(err, &e):
			t.Fatalf("error %v (%T) is not an *Error", err, err)
		}
	})
}

// BenchmarkVerify verifies one signed POST with a 1 KiB body.
func BenchmarkVerify(b *testing.B) {
	body := strings.Repeat("x", 1024)
	wire := signedWire(b, spec{method: http.MethodPost, target: "/controls/abc?x=1", body: body,
		headers: [][2]string{{"Content-Type", "application/json"}}})
	r, got := received(b, wire)
	v := testVerifier(testTime)
	b.ReportAllocs()
	b.SetBytes(int64(len(got)))
	for b.Loop() {
		if _, err := v.Verify(r, got); err != nil {
			b.Fatal(err)
		}
	}
}
