package sigv4

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// escapedPath returns the request path exactly as the client sent it, still
// percent-encoded: from r.RequestURI when the request came from a server,
// otherwise from r.URL. It returns "/" for an empty path.
func escapedPath(r *http.Request) string {
	p := ""
	switch ru := r.RequestURI; {
	case strings.HasPrefix(ru, "/"):
		p, _, _ = strings.Cut(ru, "?")
	case ru != "" && ru != "*":
		if u, err := url.ParseRequestURI(ru); err == nil {
			p = u.EscapedPath()
		}
	case r.URL != nil:
		p = r.URL.EscapedPath()
	}
	if p == "" {
		p = "/"
	}
	return p
}

// canonicalURI encodes the escaped path once more, keeping '/', as the AWS
// SDKs and botocore do for every service but S3: each byte outside the RFC
// 3986 unreserved set becomes %XX with uppercase hex ("%2F" becomes "%252F").
// No dot-segment or slash normalisation is applied.
func canonicalURI(escaped string) string {
	return uriEncode(escaped, false)
}

// uriEncode percent-encodes every byte of s outside A-Z a-z 0-9 - _ . ~ with
// uppercase hex; '/' is kept unless encodeSlash is set.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xF])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// canonicalQuery decodes the raw query string (splitting on '&' only, '+'
// meaning space, empty pairs skipped, a missing '=' meaning an empty value),
// re-encodes each name and value with uriEncode and sorts the pairs by
// encoded name, then encoded value. It reports false if an escape is invalid.
func canonicalQuery(raw string) (string, bool) {
	if raw == "" {
		return "", true
	}
	type pair struct{ k, v string }
	var pairs []pair
	for _, p := range strings.Split(raw, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			return "", false
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return "", false
		}
		pairs = append(pairs, pair{uriEncode(dk, true), uriEncode(dv, true)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String(), true
}

// headerValues returns the values of the lowercase header name: r.Host for
// "host", and for "content-length" and "transfer-encoding" the fields Go's
// server moves out of r.Header when the header itself is absent. The names of
// r.Header are matched without regard to case; when several match, their
// values are joined. host is the one-element slice the caller lends for r.Host.
func headerValues(r *http.Request, host *[1]string, name string) []string {
	if name == "host" {
		host[0] = r.Host
		return host[:]
	}
	var vs []string
	found, joined := false, false
	for k, v := range r.Header {
		if len(k) != len(name) || !strings.EqualFold(k, name) {
			continue
		}
		switch {
		case !found:
			vs, found = v, true
		case !joined:
			// A second spelling of the name: copy before appending, so that
			// r.Header's own slice is never written.
			vs, joined = append(slices.Clip(vs), v...), true
		default:
			vs = append(vs, v...)
		}
	}
	if found {
		return vs
	}
	switch name {
	case "content-length":
		if r.ContentLength > 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		if len(r.TransferEncoding) > 0 {
			return []string{strings.Join(r.TransferEncoding, ",")}
		}
	}
	return nil
}

// canonicalHeaders writes "name:value\n" for each signed header, values
// trimmed, inner runs of spaces collapsed and multiple values joined with
// ','. It reports false when a signed header is absent from the request.
func canonicalHeaders(b *strings.Builder, r *http.Request, names []string) bool {
	var host [1]string
	for _, n := range names {
		vs := headerValues(r, &host, n)
		if len(vs) == 0 {
			return false
		}
		b.WriteString(n)
		b.WriteByte(':')
		for i, v := range vs {
			if i > 0 {
				b.WriteByte(',')
			}
			writeTrimmed(b, v)
		}
		b.WriteByte('\n')
	}
	return true
}

// writeTrimmed writes v without leading/trailing whitespace and with each
// run of spaces collapsed to one space.
func writeTrimmed(b *strings.Builder, v string) {
	v = strings.TrimSpace(v)
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		b.WriteByte(v[i])
	}
}
