package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the reverse proxies trusted to name the client in X-Forwarded-For. The
// zero value trusts none: the client is the connection's peer, whatever the headers say.
type Proxies []netip.Prefix

// ParseProxies reads CIDR prefixes or single addresses ("10.0.0.0/8", "127.0.0.1",
// "::1"). It names the first entry that is neither.
func ParseProxies(list []string) (Proxies, error) {
	var out Proxies
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR prefix", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (ps Proxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Client returns the address of the client that r came from. When the peer is a
// trusted proxy, it walks X-Forwarded-For from the right (the entries the trusted
// proxies appended) and returns the first address that is not a trusted proxy; an
// entry that does not parse ends the walk at the hop that appended it. Entries left of
// the first untrusted one were written by the client and are never believed.
func (ps Proxies) Client(r *http.Request) netip.Addr {
	peer := peerAddr(r.RemoteAddr)
	if !peer.IsValid() || !ps.trusts(peer) {
		return peer
	}
	client := peer
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		entries := strings.Split(hops[i], ",")
		for j := len(entries) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(entries[j]))
			if err != nil {
				return client
			}
			client = a.Unmap()
			if !ps.trusts(client) {
				return client
			}
		}
	}
	return client
}

// Handler sets each request's RemoteAddr to its client's address (Client, port 0) before
// calling h, so that access logs and per-client limits see the client, not the proxy.
// With no trusted proxies it returns h.
func (ps Proxies) Handler(h http.Handler) http.Handler {
	if len(ps) == 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := ps.Client(r); c.IsValid() && peerAddr(r.RemoteAddr) != c {
			r2 := *r
			r2.RemoteAddr = netip.AddrPortFrom(c, 0).String()
			r = &r2
		}
		h.ServeHTTP(w, r)
	})
}

// peerAddr parses a RemoteAddr ("host:port", or a bare host); the zero Addr when it is
// neither.
func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}
