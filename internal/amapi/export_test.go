package amapi

import "net/http"

// RoutePattern returns the ServeMux pattern that r is routed to.
func RoutePattern(h *Handler, r *http.Request) string {
	_, p := h.mux.Handler(r)
	return p
}
