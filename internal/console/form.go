package console

import (
	"strings"

	"github.com/probity-dev/probity"
)

// FormErrors says what is wrong with a form: a message per field name, shown next to the
// field; the empty name holds what belongs to the whole form.
type FormErrors map[string]string

// Add records msg for the field, after any message it has.
func (e FormErrors) Add(field, msg string) {
	if old := e[field]; old != "" {
		msg = old + " " + msg
	}
	e[field] = msg
}

// Get returns the field's message, or "".
func (e FormErrors) Get(field string) string { return e[field] }

// Any reports whether any field has a message.
func (e FormErrors) Any() bool { return len(e) > 0 }

// formErrors turns an EINVALID error's field errors into FormErrors: each API member
// name (name, controlSets[0].controls, ...) goes to the form field that fields maps its
// first part to, else to the whole form. An ECONFLICT error (the library's conflicts are
// names already taken) goes to the field "name" maps to. It returns nil and false for any
// other error, which the handler returns as it is.
func formErrors(err error, fields map[string]string) (FormErrors, bool) {
	if probity.ErrorCode(err) != probity.EINVALID && probity.ErrorCode(err) != probity.ECONFLICT {
		return nil, false
	}
	fe := FormErrors{}
	fs := probity.ErrorFields(err)
	if len(fs) == 0 {
		field := ""
		if probity.ErrorCode(err) == probity.ECONFLICT {
			field = fields["name"]
		}
		fe.Add(field, probity.ErrorMessage(err))
	}
	for _, f := range fs {
		head := f.Name
		if i := strings.IndexAny(head, ".["); i >= 0 {
			head = head[:i]
		}
		field, ok := fields[head]
		if !ok {
			fe.Add("", f.Name+": "+f.Message)
			continue
		}
		msg := f.Message
		if f.Name != head {
			msg = f.Name + ": " + msg
		}
		fe.Add(field, upperFirst(msg))
	}
	return fe, true
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
