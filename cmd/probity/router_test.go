package main

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestRouter checks which handler answers each path: /healthz and /metrics are the
// router's, everything else (the model's paths, unknown ones, other methods on /healthz)
// the API's, and a UI mounted on /ui/ takes its prefix from the API and nothing else.
func TestRouter(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "probity_router_test_total", Help: "A test counter."}))
	named := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, name) })
	}
	plain := newRouter(named("api"), nil, reg)
	withUI := newRouter(named("api"), nil, reg)
	withUI.Handle("/ui/", named("ui"))
	tests := []struct {
		method, path string
		want         string // the body's start
		wantUI       string // with a UI mounted; "" means the same as want
	}{
		{"GET", "/healthz", "ok\n", ""},
		{"HEAD", "/healthz", "ok\n", ""}, // the recorder keeps what the server would drop
		{"POST", "/healthz", "api", ""},
		{"GET", "/healthz/x", "api", ""},
		{"GET", "/metrics", "# HELP probity_router_test_total", ""},
		{"DELETE", "/metrics", "api", ""},
		{"GET", "/metricsz", "api", ""},
		{"GET", "/", "api", ""},
		{"GET", "/controls", "api", ""},
		{"POST", "/assessmentFrameworks", "api", ""},
		{"PATCH", "/controls", "api", ""},
		{"GET", "/ui/", "api", "ui"},
		{"GET", "/ui/controls/1", "api", "ui"},
		{"POST", "/ui/login", "api", "ui"},
		{"GET", "/uix", "api", ""},
		// Paths ServeMux would redirect go to the API, which answers every request itself.
		{"GET", "/controls/.", "api", ""},
		{"GET", "//healthz", "api", ""},
		{"GET", "/ui/../metrics", "api", "api"},
	}
	for _, tt := range tests {
		for _, mux := range []*router{plain, withUI} {
			want := tt.want
			if mux == withUI && tt.wantUI != "" {
				want = tt.wantUI
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), want) {
				t.Errorf("%s %s (UI mounted: %v) = %d %.40q, want 200 %q", tt.method, tt.path, mux == withUI, rec.Code, rec.Body.String(), want)
			}
		}
	}
}

// TestRouterHealth checks /healthz against the health function: 503 "unavailable" with
// no detail of the error.
func TestRouterHealth(t *testing.T) {
	tests := []struct {
		health   func() error
		code     int
		wantBody string
	}{
		{nil, 200, "ok\n"},
		{func() error { return nil }, 200, "ok\n"},
		{func() error { return errors.New("catalog source s3://secret-bucket: connection refused") }, 503, "unavailable\n"},
	}
	for i, tt := range tests {
		rec := httptest.NewRecorder()
		newRouter(http.NotFoundHandler(), tt.health, prometheus.NewRegistry()).ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		if rec.Code != tt.code || rec.Body.String() != tt.wantBody || rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("%d: /healthz = %d %q (%s), want %d %q", i, rec.Code, rec.Body.String(), rec.Header().Get("Content-Type"), tt.code, tt.wantBody)
		}
	}
}
