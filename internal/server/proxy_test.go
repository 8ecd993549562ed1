package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProxiesClient(t *testing.T) {
	ps, err := ParseProxies([]string{"10.0.0.0/8", " 192.0.2.7 ", "", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"no header", "203.0.113.9:5000", nil, "203.0.113.9"},
		{"untrusted peer: the header is the client's word", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"trusted peer, one hop", "10.1.2.3:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a forged left part is ignored", "10.1.2.3:443", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"two trusted hops", "10.1.2.3:443", []string{"198.51.100.1, 192.0.2.7"}, "198.51.100.1"},
		{"hops over several headers", "10.1.2.3:443", []string{"1.1.1.1, 198.51.100.1", "10.9.9.9"}, "198.51.100.1"},
		{"only trusted hops", "10.1.2.3:443", []string{"10.4.4.4"}, "10.4.4.4"},
		{"garbage ends the walk at the hop that wrote it", "10.1.2.3:443", []string{"198.51.100.1, not-an-ip"}, "10.1.2.3"},
		{"garbage behind a trusted hop", "10.1.2.3:443", []string{"not-an-ip, 10.4.4.4"}, "10.4.4.4"},
		{"IPv6 loopback proxy", "[::1]:8080", []string{"2001:db8::5"}, "2001:db8::5"},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"empty header", "10.1.2.3:443", []string{""}, "10.1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, h := range tt.xff {
				r.Header.Add("X-Forwarded-For", h)
			}
			if got := ps.Client(r).String(); got != tt.want {
				t.Fatalf("Client = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseProxiesRejects(t *testing.T) {
	for _, s := range []string{"10.0.0.0/33", "example.com", "10.0.0"} {
		_, err := ParseProxies([]string{"127.0.0.1", s})
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("ParseProxies(%q) = %v, want an error naming it", s, err)
		}
	}
}

func TestProxiesHandler(t *testing.T) {
	var got string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.RemoteAddr })
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:9999"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")

	// Trusting none, the handler is h itself and the peer stays the client.
	if Proxies(nil).Handler(h).ServeHTTP(httptest.NewRecorder(), r); got != "127.0.0.1:9999" {
		t.Fatalf("no trusted proxies: RemoteAddr = %q", got)
	}
	ps, _ := ParseProxies([]string{"127.0.0.1"})
	if ps.Handler(h).ServeHTTP(httptest.NewRecorder(), r); got != "198.51.100.1:0" {
		t.Fatalf("trusted proxy: RemoteAddr = %q, want the forwarded client", got)
	}
	if r.RemoteAddr != "127.0.0.1:9999" {
		t.Fatalf("the caller's request was changed: %q", r.RemoteAddr)
	}
}
