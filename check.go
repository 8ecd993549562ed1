package probity

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checker collects every broken rule of one object, so a caller hears about all of them
// at once instead of fixing one per round trip.
type checker struct {
	fields []FieldError
}

func (c *checker) add(name, format string, args ...any) {
	c.fields = append(c.fields, FieldError{Name: name, Message: fmt.Sprintf(format, args...)})
}

// err returns nil when nothing was broken, or an EINVALID *Error listing every field.
func (c *checker) err(what string) error {
	if len(c.fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "invalid " + what, Fields: c.fields}
}

// text checks the characters (see TextKind), length (in characters, as the service counts
// them) and pattern of an optional string member. A required member that is empty is
// reported as missing; a required single-line member must not be blank.
func (c *checker) text(name, v string, kind TextKind, required bool, min, max int, pattern *regexp.Regexp, patternHint string) {
	if v == "" {
		// The service cannot tell an empty string from an absent member; neither can we.
		if required {
			c.add(name, "is required")
		}
		return
	}
	if reason := CheckText(v, kind); reason != "" {
		c.add(name, "%s", reason)
		return
	}
	n := utf8.RuneCountInString(v)
	switch {
	case required && kind == SingleLine && IsBlank(v):
		c.add(name, "must not be blank")
	case n < min:
		c.add(name, "must be at least %d characters, got %d", min, n)
	case max > 0 && n > max:
		c.add(name, "must be at most %d characters, got %d", max, n)
	case pattern != nil && !pattern.MatchString(v):
		c.add(name, "%s", patternHint)
	}
}

// oneOf checks that an optional enum member holds one of the allowed values.
func oneOf[T ~string](c *checker, name string, v T, required bool, allowed []T) {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if v == a && v != "" {
			return
		}
		names[i] = string(a)
	}
	switch {
	case v != "":
		c.add(name, "must be one of %s", strings.Join(names, ", "))
	case required:
		c.add(name, "is required; one of %s", strings.Join(names, ", "))
	}
}

// tags checks a tag map against the service's rules for keys and values.
func (c *checker) tags(name string, tags map[string]string) {
	if len(tags) > MaxTags {
		c.add(name, "must have at most %d tags, got %d", MaxTags, len(tags))
	}
	for _, k := range sortedKeys(tags) {
		kn := name + "." + k
		switch n := utf8.RuneCountInString(k); {
		case !utf8.ValidString(k):
			c.add(kn, "tag key must be valid UTF-8")
		case n == 0:
			c.add(name, "tag key must not be empty")
		case n > 128:
			c.add(kn, "tag key must be at most 128 characters, got %d", n)
		case strings.HasPrefix(k, "aws:"):
			c.add(kn, "tag key must not start with the reserved prefix aws:")
		case !tagKeyPattern.MatchString(k):
			c.add(kn, "tag key may hold only letters, digits and + , - . / : ; < = _")
		}
		v := tags[k]
		if reason := CheckText(v, SingleLine); reason != "" {
			c.add(kn, "tag value %s", reason)
		} else if n := utf8.RuneCountInString(v); n > 256 {
			c.add(kn, "tag value must be at most 256 characters, got %d", n)
		}
	}
}

func index(name string, i int) string { return name + "[" + strconv.Itoa(i) + "]" }

// MaxTags is the most tags one resource may carry.
const MaxTags = 50

var (
	// The service's character class [a-zA-Z+-=._:/] spans + to = in ASCII, which takes in
	// the digits, comma, hyphen, period, slash, colon, semicolon and less-than.
	tagKeyPattern     = regexp.MustCompile(`^[a-zA-Z+-=._:/]+$`)
	noBackslash       = regexp.MustCompile(`^[^\\]*$`)
	noBackslashOrLine = regexp.MustCompile(`^[^\\_]*$`)
	keywordPattern    = regexp.MustCompile(`^[a-zA-Z_0-9\-\s().:/]+$`)
	uuidPattern       = regexp.MustCompile(`^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$`)
)

// IsUUID reports whether s is a lower-case UUID as the service writes them.
func IsUUID(s string) bool { return len(s) == 36 && uuidPattern.MatchString(s) }

// sortedKeys returns the keys of m in order, so that output and error lists are stable.
func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
