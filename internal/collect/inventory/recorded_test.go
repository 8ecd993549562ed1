package inventory_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/probity-dev/probity/internal/mototest"
)

// recordedCall is one request to a recorded endpoint.
type recordedCall struct {
	// Op names the operation: the X-Amz-Target of JSON protocols, the Action of query
	// protocols, and otherwise the method and path ("GET /analyzer").
	Op   string
	Body []byte     // the request's body, read in full
	Form url.Values // the query protocols' parameters; nil for other protocols
	R    *http.Request
}

// recordedAnswer answers a call with an HTTP status and a body, ok false for a call it
// does not record (the endpoint forwards it to moto).
type recordedAnswer func(c recordedCall) (status int, body string, ok bool)

// recorded returns m.ConfigPassing(ops...) with the endpoint of recordedURL(t, m, answer):
// the configuration for a test whose recorded responses stand in for what moto lacks.
func recorded(t *testing.T, m *mototest.Server, answer recordedAnswer, ops ...string) aws.Config {
	t.Helper()
	cfg := m.ConfigPassing(ops...)
	cfg.BaseEndpoint = aws.String(recordedURL(t, m, answer))
	return cfg
}

// recordedURL starts an httptest server, closed when the test ends, and returns its URL.
// The server answers the calls answer records, with the protocol's content type (JSON
// 1.1, XML for query protocols, JSON for REST ones; an error of a REST protocol also
// names its code in X-Amzn-ErrorType, from the body's Code or __type), and forwards every
// other request, body intact, to moto. Forwarding errors (calls a failed test abandons)
// are not logged.
func recordedURL(t *testing.T, m *mototest.Server, answer recordedAnswer) string {
	t.Helper()
	u, err := url.Parse(m.URL)
	must(t, err)
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		c := recordedCall{Op: r.Header.Get("X-Amz-Target"), Body: body, R: r}
		contentType := "application/x-amz-json-1.1"
		switch {
		case c.Op != "":
		case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
			c.Form, _ = url.ParseQuery(string(body))
			c.Op, contentType = c.Form.Get("Action"), "text/xml"
		default:
			c.Op, contentType = r.Method+" "+r.URL.Path, "application/json"
		}
		status, resp, ok := answer(c)
		if !ok {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			proxy.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", contentType)
		if status >= 400 && contentType == "application/json" {
			var e struct {
				Code string
				Type string `json:"__type"`
			}
			_ = json.Unmarshal([]byte(resp), &e)
			if e.Code == "" {
				e.Code = e.Type
			}
			if e.Code != "" {
				w.Header().Set("X-Amzn-ErrorType", e.Code)
			}
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, resp)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// jsonText is v in JSON, for a recorded response.
func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, err)
	return string(b)
}

// recordedQuery answers the calls of a query protocol whose Action answers names, with
// the body the Action's function returns for the call's parameters.
func recordedQuery(answers map[string]func(v url.Values) string) recordedAnswer {
	return func(c recordedCall) (int, string, bool) {
		answer := answers[c.Op]
		if c.Form == nil || answer == nil {
			return 0, "", false
		}
		return http.StatusOK, answer(c.Form), true
	}
}
