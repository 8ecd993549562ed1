package amapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/sigv4"
)

// Error types of the service model, and the ones Probity adds.
const (
	typeValidation   = "ValidationException"
	typeNotFound     = "ResourceNotFoundException"
	typeAccessDenied = "AccessDeniedException"
	typeQuota        = "ServiceQuotaExceededException"
	typeThrottling   = "ThrottlingException"
	typeInternal     = "InternalServerException"
	// typeNotImplemented answers operations of the model that Probity does not serve.
	typeNotImplemented = "NotImplementedException"
	// typeUnknownOperation answers requests that match no operation of the model.
	typeUnknownOperation = "UnknownOperationException"
	// typeTooLarge answers request bodies over the limit.
	typeTooLarge = "RequestEntityTooLargeException"
)

// Reasons of a ValidationException.
const (
	reasonCannotParse = "cannotParse"
	reasonFields      = "fieldValidationFailed"
	reasonOther       = "other"
)

// apiError is an error as the wire carries it: status, X-Amzn-ErrorType and body members.
type apiError struct {
	status int
	Type   string `json:"-"`

	Message      string       `json:"message"`
	Reason       string       `json:"reason,omitempty"`
	Fields       []fieldError `json:"fields,omitempty"`
	ResourceID   *string      `json:"resourceId,omitempty"`
	ResourceType *string      `json:"resourceType,omitempty"`

	cause error // internal errors only: logged, never sent
}

// fieldError is the model's ValidationExceptionField.
type fieldError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

func toFieldErrors(in []probity.FieldError) []fieldError {
	if len(in) == 0 {
		return nil
	}
	out := make([]fieldError, len(in))
	for i, f := range in {
		out[i] = fieldError{Name: f.Name, Message: f.Message}
	}
	return out
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func validation(reason, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, Type: typeValidation, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// invalidField is a ValidationException naming one member.
func invalidField(name, format string, args ...any) *apiError {
	fields := []probity.FieldError{{Name: name, Message: fmt.Sprintf(format, args...)}}
	return &apiError{status: http.StatusBadRequest, Type: typeValidation, Reason: reasonFields,
		Message: fieldsMessage(fields), Fields: toFieldErrors(fields)}
}

// fieldsMessage is the message of a ValidationException with fields, in the service's
// form: "1 validation error detected: NAME: REASON", or "N validation errors detected: "
// and the reasons joined by "; ". Clients such as the AWS CLI print the message alone,
// so it carries every reason that fields[] does.
func fieldsMessage(fields []probity.FieldError) string {
	var b strings.Builder
	if len(fields) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", len(fields))
	}
	for i, f := range fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	return b.String()
}

func accessDenied(format string, args ...any) *apiError {
	return &apiError{status: http.StatusForbidden, Type: typeAccessDenied, Message: fmt.Sprintf(format, args...)}
}

// wireError maps any error to its wire form: *apiError as it is, sigv4 failures to 403
// with their own type, domain codes to the model's error types, and everything else to an
// InternalServerException whose cause is kept for the log.
func wireError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &apiError{status: se.HTTPStatus(), Type: se.Code, Message: se.Message}
	}
	msg := probity.ErrorMessage(err)
	switch probity.ErrorCode(err) {
	case probity.EINVALID:
		fields := probity.ErrorFields(err)
		reason := reasonFields
		if len(fields) == 0 {
			reason = reasonOther
		} else {
			msg = fieldsMessage(fields)
		}
		return &apiError{status: http.StatusBadRequest, Type: typeValidation, Reason: reason, Message: msg, Fields: toFieldErrors(fields)}
	case probity.ECONFLICT:
		// The model has no conflict error; the service reports these as validation errors.
		return validation(reasonOther, "%s", msg)
	case probity.ENOTFOUND:
		var pe *probity.Error
		errors.As(err, &pe) // the code came from one
		return &apiError{status: http.StatusNotFound, Type: typeNotFound, Message: msg, ResourceID: &pe.ResourceID, ResourceType: &pe.Resource}
	case probity.EUNAUTHORIZED:
		return accessDenied("%s", msg)
	case probity.EQUOTA:
		return &apiError{status: http.StatusPaymentRequired, Type: typeQuota, Message: msg}
	}
	return &apiError{status: http.StatusInternalServerError, Type: typeInternal,
		Message: "The server encountered an internal error.", cause: err}
}
