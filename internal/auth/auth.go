// Package auth is who is calling and what they may do, apart from how they proved it: the
// Principal a credential check yields, the access Levels that bound its operations, and
// the errors a credential check returns. It knows
// neither SigV4 nor HTTP, so that a signed API request and a browser session can end in
// the same Principal.
package auth

import "errors"

// ErrUnknownKey is returned (possibly wrapped) by a credential check when the access key id
// does not exist, or exists but cannot be used here (a stored key without the master key
// that opens its secret). Protocols map it to their own answer (SigV4:
// UnrecognizedClientException); any other error from a check is a failure of the check
// itself, not of the caller's credentials.
var ErrUnknownKey = errors.New("auth: unknown access key")
