package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/probity-dev/probity"
)

// The checks of parameter values that several rules share, for their CheckParams.
// Each returns no field error for an unset parameter.

// checked returns r with its CheckParams set to check; it is for rules built by a
// function shared with rules that take other parameters.
func checked(r *Rule, check func(a Args) []probity.FieldError) *Rule {
	r.CheckParams = check
	return r
}

// checks returns a CheckParams that runs every one of checks, in turn.
func checks(checks ...func(a Args) []probity.FieldError) func(a Args) []probity.FieldError {
	return func(a Args) []probity.FieldError {
		var out []probity.FieldError
		for _, c := range checks {
			out = append(out, c(a)...)
		}
		return out
	}
}

// badParam returns the field error of parameter name whose value err refuses, none when
// err is nil.
func badParam(name string, err error) []probity.FieldError {
	if err == nil {
		return nil
	}
	return []probity.FieldError{{Name: name, Message: err.Error()}}
}

// oneOf returns a check that parameter name, when set, is one of allowed, compared
// without regard to case: `"x" is not A, B or C`.
func oneOf(name string, allowed ...string) func(a Args) []probity.FieldError {
	return func(a Args) []probity.FieldError {
		v := a.Str(name)
		if v == "" || slices.ContainsFunc(allowed, func(x string) bool { return strings.EqualFold(x, v) }) {
			return nil
		}
		return []probity.FieldError{{Name: name, Message: fmt.Sprintf("%q is not %s", v, orList(allowed))}}
	}
}

// between returns a check that the integer parameter name, when set, lies within lo..hi.
func between(name string, lo, hi int) func(a Args) []probity.FieldError {
	return func(a Args) []probity.FieldError {
		if n := a.Int(name); a.Set(name) && (n < lo || n > hi) {
			return []probity.FieldError{{Name: name, Message: fmt.Sprintf("%d is not between %d and %d", n, lo, hi)}}
		}
		return nil
	}
}

// parses returns a check that parameter name, when set, is a value parse reads; parse's
// error, naming the value, says why not.
func parses[T any](name string, parse func(string) (T, error)) func(a Args) []probity.FieldError {
	return func(a Args) []probity.FieldError {
		if !a.Set(name) {
			return nil
		}
		_, err := parse(a.Str(name))
		return badParam(name, err)
	}
}

// eachValue returns a check of every value of the CSV parameter name: refused returns
// why a value is refused, or "" when it is not.
func eachValue(name string, refused func(v string) string) func(a Args) []probity.FieldError {
	return func(a Args) []probity.FieldError {
		var out []probity.FieldError
		for _, v := range a.List(name) {
			if why := refused(v); why != "" {
				out = append(out, probity.FieldError{Name: name, Message: why})
			}
		}
		return out
	}
}

// orList writes "A", "A or B", "A, B or C".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
