// Package sigv4 verifies AWS Signature Version 4 Authorization headers on
// incoming HTTP requests the way AWS services (other than S3) do.
package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/probity-dev/probity/internal/auth"
)

const (
	amzDateLayout     = "20060102T150405Z"
	defaultMaxSkew    = 15 * time.Minute
	headerAmzDate     = "X-Amz-Date"
	headerContentHash = "X-Amz-Content-Sha256"
)

// Verifier checks the SigV4 Authorization header of incoming requests. Its
// fields must not change while Verify runs; Verify is safe for concurrent use.
type Verifier struct {
	// Service is the signing name requests must be scoped to, e.g. "auditmanager".
	Service string
	// Region is the region requests must be scoped to.
	Region string
	// Secret returns the secret access key of accessKeyID, or an error
	// wrapping auth.ErrUnknownKey when the key does not exist; Verify then
	// fails with CodeUnrecognizedClient.
	Secret func(ctx context.Context, accessKeyID string) (secret string, err error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxSkew is the allowed distance, in either direction, between the
	// request time and Now; 0 (or less) means 15 minutes.
	MaxSkew time.Duration
}

// Verify checks r, whose body has already been read into body, and returns
// the access key id that signed it. On failure it returns "" and an error:
// authentication failures are *Error values (answer them with 403), while a
// Secret callback failure other than auth.ErrUnknownKey is returned wrapped and is
// not an *Error (answer it with 500).
//
// It checks the Authorization header syntax, the credential scope (date equal
// to the request day, Region, Service, aws4_request), the request time taken
// from X-Amz-Date or else Date (within MaxSkew of Now either way), that host
// and the date header in use are signed, X-Amz-Content-Sha256 when present
// (it must equal the body hash; UNSIGNED-PAYLOAD is refused), and finally the
// signature over the canonical request, compared in constant time. The
// canonical URI is the path as sent (r.RequestURI, else r.URL) encoded once
// more, as the AWS SDKs and botocore sign it for services other than S3.
// Verify keeps no state: a captured request can be replayed until it falls
// out of the MaxSkew window.
func (v *Verifier) Verify(r *http.Request, body []byte) (accessKeyID string, err error) {
	if r == nil {
		return "", incomplete("Request is missing.")
	}
	authz := r.Header.Values("Authorization")
	if len(authz) == 0 {
		return "", &Error{Code: CodeMissingAuthenticationToken, Message: msgMissingToken}
	}
	if len(authz) > 1 {
		return "", incomplete("Only one Authorization header is allowed.")
	}
	a, e := parseAuthorization(authz[0])
	if e != nil {
		return "", e
	}
	stamp, t, dateHeader, e := requestTime(r)
	if e != nil {
		return "", e
	}
	if e := requireSigned(a.signedHeaders, "host", dateHeader); e != nil {
		return "", e
	}
	if a.scopeDate != stamp[:8] || a.region != v.Region || a.service != v.Service {
		return "", mismatch()
	}
	if e := v.checkSkew(t); e != nil {
		return "", e
	}
	payloadHash, e := payloadHash(r, body)
	if e != nil {
		return "", e
	}
	if v.Secret == nil {
		return "", errors.New("sigv4: Verifier.Secret is nil")
	}
	secret, err := v.Secret(r.Context(), a.accessKeyID)
	if errors.Is(err, auth.ErrUnknownKey) {
		return "", &Error{Code: CodeUnrecognizedClient, Message: msgUnknownKey}
	}
	if err != nil {
		return "", fmt.Errorf("sigv4: looking up secret access key: %w", err)
	}
	canonical, ok := canonicalRequest(r, a, payloadHash)
	if !ok {
		return "", mismatch()
	}
	want := signature(secret, a, stamp, canonical)
	if !hmac.Equal(want, a.signature[:]) {
		return "", mismatch()
	}
	return a.accessKeyID, nil
}

// requestTime returns the request time from X-Amz-Date (preferred) or Date,
// formatted as yyyymmddThhmmssZ and parsed, plus the lowercase name of the
// header it came from. It returns an IncompleteSignatureException *Error
// when neither header is present or the value is malformed.
func requestTime(r *http.Request) (string, time.Time, string, *Error) {
	if vs := r.Header.Values(headerAmzDate); len(vs) > 0 {
		if len(vs) > 1 {
			return "", time.Time{}, "", incomplete("Only one X-Amz-Date header is allowed.")
		}
		t, err := time.Parse(amzDateLayout, vs[0])
		var buf [len(amzDateLayout)]byte
		if err != nil || string(t.AppendFormat(buf[:0], amzDateLayout)) != vs[0] {
			return "", time.Time{}, "", incomplete("X-Amz-Date must have the form yyyymmddThhmmssZ.")
		}
		return vs[0], t, "x-amz-date", nil
	}
	if vs := r.Header.Values("Date"); len(vs) > 0 {
		if len(vs) > 1 {
			return "", time.Time{}, "", incomplete("Only one Date header is allowed.")
		}
		t, err := http.ParseTime(vs[0])
		if err != nil {
			return "", time.Time{}, "", incomplete("Date header is malformed.")
		}
		t = t.UTC()
		return t.Format(amzDateLayout), t, "date", nil
	}
	return "", time.Time{}, "", incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
}

// requireSigned returns an IncompleteSignatureException *Error unless every
// name in required appears in signed.
func requireSigned(signed []string, required ...string) *Error {
	for _, req := range required {
		found := false
		for _, s := range signed {
			if s == req {
				found = true
				break
			}
		}
		if !found {
			return incomplete("'" + req + "' must be a signed header.")
		}
	}
	return nil
}

// checkSkew returns an InvalidSignatureException *Error ("Signature expired")
// when t is more than MaxSkew away from Now in either direction.
func (v *Verifier) checkSkew(t time.Time) *Error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = defaultMaxSkew
	}
	if d := now().Sub(t); d > skew || d < -skew {
		return &Error{Code: CodeInvalidSignature, Message: msgSignatureExpired}
	}
	return nil
}

// payloadHash returns the hex SHA-256 of body. When X-Amz-Content-Sha256 is
// present it must equal that hash; otherwise (including UNSIGNED-PAYLOAD and
// streaming values) it returns an InvalidSignatureException *Error.
func payloadHash(r *http.Request, body []byte) (string, *Error) {
	h := emptyHash
	if len(body) > 0 {
		sum := sha256.Sum256(body)
		h = hex.EncodeToString(sum[:])
	}
	vs := r.Header.Values(headerContentHash)
	switch {
	case len(vs) == 0:
		return h, nil
	case len(vs) == 1 && strings.TrimSpace(vs[0]) == h:
		return h, nil
	default:
		return "", mismatch()
	}
}

// emptyHash is the hex SHA-256 of an empty body, the payload of every GET.
var emptyHash = func() string { s := sha256.Sum256(nil); return hex.EncodeToString(s[:]) }()

// canonicalRequest builds the SigV4 canonical request. It reports false when
// the query string cannot be decoded or a signed header is absent.
func canonicalRequest(r *http.Request, a authorization, payloadHash string) (string, bool) {
	query, ok := canonicalQuery(rawQuery(r))
	if !ok {
		return "", false
	}
	var b strings.Builder
	b.Grow(256 + len(query) + len(a.signedRaw))
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(escapedPath(r)))
	b.WriteByte('\n')
	b.WriteString(query)
	b.WriteByte('\n')
	if !canonicalHeaders(&b, r, a.signedHeaders) {
		return "", false
	}
	b.WriteByte('\n')
	b.WriteString(a.signedRaw)
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String(), true
}

func rawQuery(r *http.Request) string {
	if r.URL == nil {
		return ""
	}
	return r.URL.RawQuery
}

// signature returns HMAC-SHA256(signingKey, stringToSign), the signing key
// being derived from secret and the credential scope in a.
func signature(secret string, a authorization, stamp, canonical string) []byte {
	crHash := sha256.Sum256([]byte(canonical))
	var buf [256]byte
	sts := append(buf[:0], algorithm+"\n"...)
	sts = append(append(sts, stamp...), '\n')
	sts = append(append(sts, a.scopeDate...), '/')
	sts = append(append(sts, a.region...), '/')
	sts = append(append(sts, a.service...), '/')
	sts = append(append(sts, scopeTerminator...), '\n')
	sts = hex.AppendEncode(sts, crHash[:])
	return signingKey(secret, a.scopeDate, a.region, a.service).sign(nil, sts)
}
