package sigv4

import "net/http"

// Error codes carried by *Error. Each is meant to be answered with HTTP 403.
const (
	// CodeMissingAuthenticationToken means the request has no Authorization header.
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	// CodeIncompleteSignature means the Authorization header or the date headers
	// are malformed, incomplete or sign too few headers.
	CodeIncompleteSignature = "IncompleteSignatureException"
	// CodeUnrecognizedClient means the access key id is not known.
	CodeUnrecognizedClient = "UnrecognizedClientException"
	// CodeInvalidSignature means the signature, its scope or its time is wrong.
	CodeInvalidSignature = "InvalidSignatureException"
)

// Client-facing messages. None of them contains secret or derived material.
const (
	msgMissingToken     = "Missing Authentication Token"
	msgUnknownKey       = "The security token included in the request is invalid."
	msgSignatureExpired = "Signature expired"
	msgMismatch         = "The request signature we calculated does not match the signature you provided."
)

// Error is an authentication failure reported by Verify. Code is one of the
// Code* constants and Message is safe to send to the client: it never contains
// the expected signature, the canonical request or the secret.
type Error struct {
	Code    string
	Message string
}

// Error returns "sigv4: " followed by the code and the message.
func (e *Error) Error() string {
	return "sigv4: " + e.Code + ": " + e.Message
}

// HTTPStatus returns the HTTP status the server should answer with; it is
// always 403 Forbidden.
func (e *Error) HTTPStatus() int {
	return http.StatusForbidden
}

func incomplete(msg string) *Error {
	return &Error{Code: CodeIncompleteSignature, Message: msg}
}

func mismatch() *Error {
	return &Error{Code: CodeInvalidSignature, Message: msgMismatch}
}
