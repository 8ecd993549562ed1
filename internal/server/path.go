package server

import (
	"path"
	"strings"
)

// CleanPath reports whether p is a request path that http.ServeMux routes as it is.
// ServeMux answers any other (a "." or ".." element, a doubled slash) with a redirect of
// its own, an HTML body, before the handler can authenticate the request or answer in its
// protocol's form; a handler that must answer every request itself sends such paths
// elsewhere first.
func CleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean == p
}
