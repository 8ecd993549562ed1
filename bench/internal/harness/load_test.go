package harness

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/sigv4"
)

// echoServer verifies every request with probity's own SigV4 verifier and the root key
// the servers are started with, and answers what it received: "METHOD URI
// CONTENT-TYPE BODY" with the given status, or 403 with the verifier's error.
func echoServer(t *testing.T, status int) *httptest.Server {
	v := &sigv4.Verifier{Service: "auditmanager", Region: "us-east-1",
		Secret: func(_ context.Context, id string) (string, error) {
			if id != KeyID {
				return "", fmt.Errorf("%s: %w", id, auth.ErrUnknownKey)
			}
			return KeySecret, nil
		}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err == nil {
			_, err = v.Verify(r, body)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "%s %s %s %s", r.Method, r.RequestURI, r.Header.Get("Content-Type"), body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchSignsBody(t *testing.T) {
	srv := echoServer(t, http.StatusOK)
	for _, tc := range []struct {
		method, path string
		body         []byte
		want         string
	}{
		{"GET", "/controls?controlType=Custom&maxResults=10", nil, "GET /controls?controlType=Custom&maxResults=10  "},
		{"POST", "/controls", []byte(`{"name":"a"}`), `POST /controls application/json {"name":"a"}`},
		{"PUT", "/controls/1a2b", []byte(`{"name":"b"}`), `PUT /controls/1a2b application/json {"name":"b"}`},
		{"POST", "/controls", []byte{}, "POST /controls application/json "},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			got, err := Fetch(tc.method, srv.URL+tc.path, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFetchFailsWithStatusAndBody(t *testing.T) {
	srv := echoServer(t, http.StatusBadRequest)
	_, err := Fetch("POST", srv.URL+"/controls", []byte(`{"name":"a"}`))
	want := `POST ` + srv.URL + `/controls: status 400: POST /controls application/json {"name":"a"}`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

// TestLoadSendsSignedBodies has the server refuse the first request after verifying
// it, so that Load returns as soon as one request, with its body, went through: the
// error names the request and echoes what the server received. The duration only
// bounds a failure to send anything.
func TestLoadSendsSignedBodies(t *testing.T) {
	srv := echoServer(t, http.StatusConflict)
	for _, tc := range []struct {
		method, path string
		body         []byte
		want         string
	}{
		{"POST", "/controls", []byte(`{"name":"c"}`), `POST /controls: status 409: POST /controls application/json {"name":"c"}`},
		{"PUT", "/controls/9", []byte(`{"name":"d"}`), `PUT /controls/9: status 409: PUT /controls/9 application/json {"name":"d"}`},
		{"GET", "/controls/9", nil, `GET /controls/9: status 409: GET /controls/9  `},
	} {
		t.Run(tc.method, func(t *testing.T) {
			next := func(int) (string, string, []byte) { return tc.method, tc.path, tc.body }
			_, err := Load(srv.URL, next, 1, 0, time.Minute)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}
}
