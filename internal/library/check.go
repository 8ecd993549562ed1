package library

import (
	"fmt"
	"regexp"
	"unicode/utf8"

	"github.com/probity-dev/probity"
)

// checker collects the broken rules of a request's members, named as in the API, like the
// domain's Validate methods do.
type checker struct{ fields []probity.FieldError }

func (c *checker) check(ok bool, name, format string, args ...any) {
	if !ok {
		c.fields = append(c.fields, probity.FieldError{Name: name, Message: fmt.Sprintf(format, args...)})
	}
}

// text checks a single-line member: the domain's rules for text, then the length in
// characters and the pattern (nil for none).
func (c *checker) text(name, v string, min, max int, re *regexp.Regexp, hint string) {
	if reason := probity.CheckText(v, probity.SingleLine); reason != "" {
		c.check(false, name, "%s", reason)
		return
	}
	n := utf8.RuneCountInString(v)
	c.check(n >= min && n <= max && (re == nil || re.MatchString(v)), name, "must be %d to %d characters and %s", min, max, hint)
}

// err returns the broken rules as one EINVALID error, or nil.
func (c *checker) err() error {
	if len(c.fields) == 0 {
		return nil
	}
	return &probity.Error{Code: probity.EINVALID, Message: "invalid request", Fields: c.fields}
}
