package amapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
)

// backends are the stores every test that touches the database runs on.
var backends = []struct {
	name string
	open func(testing.TB) store.Store
}{
	{"sqlite", sqliteStore},
	{"postgres", postgresStore},
}

func postgresStore(t testing.TB) store.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// onBackends runs the test once per backend with a handler on a fresh store.
func onBackends(t *testing.T, test func(t *testing.T, h *amapi.Handler)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { test(t, newHandler(t, b.open(t), nil)) })
	}
}

// reply is a response as the wire carries it.
type reply struct {
	Status int
	Type   string // X-Amzn-ErrorType
	Body   map[string]any
	Raw    string
}

// send signs a request with the root key and serves it with h. target is the path
// and query as they go on the wire (percent-encoded).
func send(t testing.TB, h http.Handler, method, target string, body []byte) reply {
	t.Helper()
	r := httptest.NewRequest(method, "http://probity.test"+target, bytes.NewReader(body))
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	r.Header.Set("X-Amz-Content-Sha256", hash)
	if len(body) > 0 {
		r.Header.Set("Content-Type", "application/json")
	}
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: rootID, SecretAccessKey: rootSecret},
		r, hash, "auditmanager", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	out := reply{Status: rec.Code, Type: rec.Header().Get("X-Amzn-ErrorType"), Raw: rec.Body.String()}
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out.Body); err != nil {
			t.Fatalf("%s %s: response is not a JSON object: %q", method, target, rec.Body.String())
		}
	}
	return out
}

// fieldNames returns the names of the fields[] of a ValidationException.
func (r reply) fieldNames() []string {
	var names []string
	fields, _ := r.Body["fields"].([]any)
	for _, f := range fields {
		if m, ok := f.(map[string]any); ok {
			names = append(names, m["name"].(string))
		}
	}
	return names
}

// mustCreate sends a request that must succeed and returns the member at path, such as
// "control.id".
func mustCreate(t testing.TB, h http.Handler, method, target, body string, path ...string) string {
	t.Helper()
	r := send(t, h, method, target, []byte(body))
	if r.Status != 200 {
		t.Fatalf("%s %s = %d %s", method, target, r.Status, r.Raw)
	}
	var v any = r.Body
	for _, p := range path {
		v = v.(map[string]any)[p]
	}
	return v.(string)
}
