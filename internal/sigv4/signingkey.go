package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
)

// maxSigningKeys bounds the signing key cache: one entry per access key, day, region and
// service in use, so a server sees a handful; past the bound the cache starts afresh.
const maxSigningKeys = 1024

// scopeKey is what a signing key is derived from.
type scopeKey struct{ secret, date, region, service string }

// signingKeys caches derived signing keys: deriving one takes four HMACs, and a client
// signs with the same one all day. Entries are never wrong, only unused: a key that
// changes its secret derives under a new entry.
var signingKeys = struct {
	sync.RWMutex
	m map[scopeKey]*signer
}{m: map[scopeKey]*signer{}}

// signer is a derived signing key with the HMACs keyed by it that are free for use.
type signer struct {
	key  []byte
	macs sync.Pool // of hash.Hash keyed with key
}

// sign appends HMAC-SHA256(key, data) to dst.
func (s *signer) sign(dst, data []byte) []byte {
	m, _ := s.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, s.key)
	}
	m.Reset()
	m.Write(data)
	dst = m.Sum(dst)
	s.macs.Put(m)
	return dst
}

// signingKey returns the signer of HMAC("aws4_request", HMAC(service, HMAC(region,
// HMAC(date, "AWS4"+secret)))), from the cache when it was derived before. Its key is
// shared: callers must not change it.
func signingKey(secret, date, region, service string) *signer {
	k := scopeKey{secret, date, region, service}
	signingKeys.RLock()
	s, ok := signingKeys.m[k]
	signingKeys.RUnlock()
	if ok {
		return s
	}
	key := hmacSHA256([]byte("AWS4"+secret), date)
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, service)
	key = hmacSHA256(key, scopeTerminator)
	s = &signer{key: key}
	signingKeys.Lock()
	if len(signingKeys.m) >= maxSigningKeys {
		clear(signingKeys.m)
	}
	signingKeys.m[k] = s
	signingKeys.Unlock()
	return s
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
