package probity

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. They say what kind of failure a caller is looking at; only the edges
// (the HTTP layer, the CLI) turn them into statuses and exit codes.
const (
	EINVALID      = "invalid"      // the input breaks a rule; Fields say which
	ENOTFOUND     = "not_found"    // the thing asked for does not exist
	ECONFLICT     = "conflict"     // the change contradicts the current state
	EUNAUTHORIZED = "unauthorized" // the caller may not do this
	EQUOTA        = "quota"        // a limit was reached
	EINTERNAL     = "internal"     // anything else; never shown in detail to users
)

// Error is the one error type that carries a code users can act on.
type Error struct {
	Code    string
	Message string
	// Fields holds one entry per broken rule when Code is EINVALID.
	Fields []FieldError
	// Resource names what was not found when Code is ENOTFOUND and the kind and id are
	// known: "control", "assessmentFramework", ...
	Resource, ResourceID string
}

// NotFound returns an ENOTFOUND *Error for the resource of the kind with the id.
func NotFound(kind, id string) *Error {
	return &Error{Code: ENOTFOUND, Message: "The " + kind + " " + id + " does not exist.", Resource: kind, ResourceID: id}
}

// FieldError is one broken rule: the member path (as in the Audit Manager API, for
// example controlMappingSources[0].sourceType) and the reason.
type FieldError struct {
	Name    string
	Message string
}

// String returns "name: message".
func (f FieldError) String() string { return f.Name + ": " + f.Message }

// Error returns the message followed by every field error.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		b.WriteString("\n  ")
		b.WriteString(f.String())
	}
	return b.String()
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the message of the first *Error in err's chain, or a generic text
// for internal errors, whose details are for logs only.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "internal error"
	}
}

// ErrorFields returns the field errors of the first *Error in err's chain, or nil.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
