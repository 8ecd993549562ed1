package rules

import (
	"slices"
	"strings"
	"time"

	"github.com/probity-dev/probity/internal/ci"
)

// verdict returns COMPLIANT when good holds, else NON_COMPLIANT with the annotation bad.
func verdict(good bool, bad string) (Compliance, string, error) {
	if good {
		return Compliant, "", nil
	}
	return NonCompliant, bad, nil
}

// na returns NOT_APPLICABLE with an annotation saying why.
func na(why string) (Compliance, string, error) { return NotApplicable, why, nil }

// cfg decodes the item's configuration into T (cached on the item).
func cfg[T any](it *ci.Item) (*T, error) {
	v, err := ci.Config[T](it)
	if err == nil && v == nil {
		v = new(T)
	}
	return v, err
}

// accountResult is a result about the account itself.
func accountResult(a *ci.Account, comp Compliance, note string) Result {
	return Result{ResourceType: AccountResourceType, ResourceID: a.AccountID, ComplianceType: comp, Annotation: note}
}

// olderThan reports whether t lies more than days days before now.
func olderThan(t, now time.Time, days int) bool {
	return now.Sub(t) > time.Duration(days)*24*time.Hour
}

// sameKey reports whether two KMS key references (id, key ARN or alias ARN) name the
// same key: equal, or one ends with "/"+other.
func sameKey(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return a == b || strings.HasSuffix(a, "/"+b) || strings.HasSuffix(b, "/"+a)
}

// anyKey reports whether key matches one of keys.
func anyKey(keys []string, key string) bool {
	for _, k := range keys {
		if sameKey(k, key) {
			return true
		}
	}
	return false
}

// inList reports whether v is one of list.
func inList(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// sortedKeys returns m's keys in order, so results come out deterministically.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
