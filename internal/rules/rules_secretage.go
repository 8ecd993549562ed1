package rules

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/probity-dev/probity/internal/ci"
)

// secretDates are the dates of a secret's CI the age rules read (ListSecrets members as
// the inventory records them; epoch seconds or RFC 3339).
type secretDates struct {
	LastRotatedDate  json.RawMessage `json:"lastRotatedDate"`
	LastAccessedDate json.RawMessage `json:"lastAccessedDate"`
	CreatedDate      json.RawMessage `json:"createdDate"`
}

// since returns the first of the dates (by member name) that is set, and its name; the
// zero time when none is.
func (s *secretDates) since(names ...string) (time.Time, string, error) {
	raws := map[string]json.RawMessage{"lastRotatedDate": s.LastRotatedDate, "lastAccessedDate": s.LastAccessedDate, "createdDate": s.CreatedDate}
	for _, n := range names {
		t, err := instant(raws[n])
		if err != nil {
			return time.Time{}, "", fmt.Errorf("%s: %w", n, err)
		}
		if !t.IsZero() {
			return t, n, nil
		}
	}
	return time.Time{}, "", nil
}

// secretAgeRule builds the periodic secret rules: the secret's first set date among
// names lies at most param days before now; a secret with none of the dates is
// NOT_APPLICABLE.
func secretAgeRule(id, desc, param string, names []string, bad string) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{secretsSecret}, Params: []Param{{Name: param, Type: Int, Default: "90"}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			s, err := cfg[secretDates](it)
			if err != nil {
				return "", "", err
			}
			t, name, err := s.since(names...)
			if err != nil {
				return "", "", err
			}
			if t.IsZero() {
				return na("The secret's " + names[0] + " and createdDate are not recorded.")
			}
			return verdict(!olderThan(t, env.Now, a.Int(param)),
				fmt.Sprintf(bad, a.Int(param), name, t.UTC().Format(time.RFC3339)))
		}}
}

var secretAgeRules = []*Rule{
	secretAgeRule("SECRETSMANAGER_SECRET_PERIODIC_ROTATION",
		"Secrets Manager secrets were rotated within the last maxDaysSinceRotation days (default 90): lastRotatedDate, or createdDate for a "+
			"secret never rotated.",
		"maxDaysSinceRotation", []string{"lastRotatedDate", "createdDate"}, "The secret was not rotated in the last %d days (%s %s)."),
	secretAgeRule("SECRETSMANAGER_SECRET_UNUSED",
		"Secrets Manager secrets were accessed within the last unusedForDays days (default 90): lastAccessedDate, or createdDate for a "+
			"secret never accessed.",
		"unusedForDays", []string{"lastAccessedDate", "createdDate"}, "The secret was not accessed in the last %d days (%s %s)."),
}
