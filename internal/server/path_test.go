package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// TestCleanPathAgreesWithServeMux: CleanPath is true exactly for the paths a ServeMux
// routes without redirecting.
func TestCleanPathAgreesWithServeMux(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	for _, p := range []string{"/", "/controls", "/controls/", "/controls/.", "/controls/..", "/./controls",
		"//controls", "/controls//x", "/a/b/../c", "/controls/x.", "/controls/..x", "/tags/arn:aws:x/y"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, &http.Request{Method: "GET", URL: &url.URL{Path: p}, Host: "h"})
		routed := rec.Code == http.StatusTeapot
		if got := CleanPath(p); got != routed {
			t.Errorf("CleanPath(%q) = %v, but ServeMux answered %d", p, got, rec.Code)
		}
	}
}
