package sigv4

import (
	"encoding/hex"
	"strings"
	"time"
)

const (
	algorithm           = "AWS4-HMAC-SHA256"
	scopeTerminator     = "aws4_request"
	scopeDateLayout     = "20060102"
	maxAuthorizationLen = 4096 // bytes in the Authorization header value
	maxSignedHeaders    = 64   // entries in SignedHeaders
	signatureHexLen     = 64   // hex-encoded HMAC-SHA256
	sha256Size          = 32
)

// authorization is a syntactically valid Authorization header.
type authorization struct {
	accessKeyID   string
	scopeDate     string // yyyymmdd as written in the credential scope
	region        string
	service       string
	signedHeaders []string         // lowercase, strictly increasing
	signedRaw     string           // the SignedHeaders value as sent
	signature     [sha256Size]byte // decoded signature
}

// parseAuthorization parses an Authorization header value of the form
//
//	AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex
//
// The three parameters may come in any order, each exactly once. It returns
// an IncompleteSignatureException *Error for any syntax problem; it does not
// compare the scope with the request.
func parseAuthorization(value string) (authorization, *Error) {
	var a authorization
	if len(value) > maxAuthorizationLen {
		return a, incomplete("Authorization header is too long.")
	}
	alg, params, ok := strings.Cut(value, " ")
	if !ok || alg != algorithm {
		return a, incomplete("Authorization header must start with the algorithm " + algorithm + ".")
	}
	var credential, signedHeaders, signature string
	var seenCredential, seenSigned, seenSignature bool
	for rest, more := params, true; more; {
		var p string
		p, rest, more = strings.Cut(rest, ",")
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		var seen *bool
		switch k {
		case "Credential":
			credential, seen = v, &seenCredential
		case "SignedHeaders":
			signedHeaders, seen = v, &seenSigned
		case "Signature":
			signature, seen = v, &seenSignature
		}
		if !ok || seen == nil || *seen {
			return a, incomplete("Authorization header parameters are malformed.")
		}
		*seen = true
	}
	if credential == "" || signedHeaders == "" || signature == "" {
		return a, incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
	}
	if e := a.parseCredential(credential); e != nil {
		return a, e
	}
	if e := a.parseSignedHeaders(signedHeaders); e != nil {
		return a, e
	}
	if len(signature) != signatureHexLen || strings.ToLower(signature) != signature {
		return a, incomplete("Signature must be 64 lowercase hexadecimal characters.")
	}
	if _, err := hex.Decode(a.signature[:], []byte(signature)); err != nil {
		return a, incomplete("Signature must be 64 lowercase hexadecimal characters.")
	}
	return a, nil
}

// parseCredential fills the access key id and scope from
// AKID/DATE/REGION/SERVICE/aws4_request.
func (a *authorization) parseCredential(credential string) *Error {
	var parts [5]string
	rest, n := credential, 0
	for ; n < len(parts) && rest != ""; n++ {
		parts[n], rest, _ = strings.Cut(rest, "/")
	}
	if n != len(parts) || rest != "" || strings.HasSuffix(credential, "/") {
		return incomplete("Credential must have the form AccessKeyId/yyyymmdd/region/service/aws4_request.")
	}
	for _, p := range parts {
		if p == "" {
			return incomplete("Credential must have the form AccessKeyId/yyyymmdd/region/service/aws4_request.")
		}
	}
	if parts[4] != scopeTerminator {
		return incomplete("Credential should be scoped with a valid terminator: 'aws4_request'.")
	}
	if len(parts[1]) != len(scopeDateLayout) {
		return incomplete("Credential scope date must have the form yyyymmdd.")
	}
	if _, err := time.Parse(scopeDateLayout, parts[1]); err != nil {
		return incomplete("Credential scope date must have the form yyyymmdd.")
	}
	a.accessKeyID, a.scopeDate, a.region, a.service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// parseSignedHeaders checks that the list is lowercase, strictly sorted,
// free of empty or invalid names and not longer than maxSignedHeaders.
func (a *authorization) parseSignedHeaders(list string) *Error {
	names := strings.Split(list, ";")
	if len(names) > maxSignedHeaders {
		return incomplete("SignedHeaders lists too many headers.")
	}
	for i, n := range names {
		if !validHeaderName(n) {
			return incomplete("SignedHeaders must be a semicolon-separated list of lowercase header names.")
		}
		if i > 0 && names[i-1] >= n {
			return incomplete("SignedHeaders must be sorted and free of duplicates.")
		}
	}
	a.signedHeaders, a.signedRaw = names, list
	return nil
}

// validHeaderName reports whether n is a non-empty lowercase HTTP token.
func validHeaderName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
