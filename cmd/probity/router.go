package main

import (
	"io"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/probity-dev/probity/internal/server"
)

// newRouter returns the one router of probity serve:
//
//   - GET /healthz: 200 "ok" while the process serves and health (nil: always healthy)
//     returns nil, else 503 "unavailable" without the error's details. No authentication.
//   - GET /metrics: what metrics gathers, in the Prometheus text format. No authentication.
//   - everything else: api, the Audit Manager API, whose operations live at the root
//     (/controls, /assessmentFrameworks, ...) and which answers any other path itself.
//
// The web console (internal/console) mounts under its own prefix on the returned mux
// (serve does mux.Handle("/ui/", ui)):
// ServeMux sends a request to the most specific pattern that matches it, so /ui/ and the
// paths below it go to the UI and never to the API's catch-all, and the API's routes
// need no change. The console authenticates its own way (a session) into the same
// auth.Principal that an API key yields, and passes it to the same library calls.
func newRouter(api http.Handler, health func() error, metrics prometheus.Gatherer) *router {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if health != nil {
			if err := health(); err != nil {
				// Unauthenticated: say that something is wrong, not what (the details
				// name buckets, queues and paths; they are in the logs and /metrics).
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, "unavailable\n")
				return
			}
		}
		io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(metrics, promhttp.HandlerOpts{}))
	mux.Handle("/", api)
	return &router{ServeMux: mux, api: api}
}

// router is the ServeMux of newRouter, except that a path ServeMux would redirect
// ("/controls/.") goes to the API, which answers it in its own form after
// authentication: no request gets an unauthenticated HTML redirect.
type router struct {
	*http.ServeMux
	api http.Handler
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !server.CleanPath(r.URL.Path) {
		rt.api.ServeHTTP(w, r)
		return
	}
	rt.ServeMux.ServeHTTP(w, r)
}
