package ci

import (
	"bytes"
	"fmt"
	"strings"

	json "github.com/go-json-experiment/json/v1"
)

// PolicyDocument is an IAM or resource policy. It decodes from an object, from a JSON
// string, from a URL-encoded JSON string (as IAM and AWS Config store documents), and
// from an array of documents, whose statements are merged.
type PolicyDocument struct {
	Version   string
	Statement []Statement
}

// Statement is one policy statement. Single strings are normalised to one-element lists.
type Statement struct {
	Sid          string
	Effect       string
	Principal    Principal
	NotPrincipal Principal
	Action       Strings
	NotAction    Strings
	Resource     Strings
	NotResource  Strings
	// Condition maps an operator to keys to values, e.g. Bool -> aws:SecureTransport -> ["false"].
	Condition map[string]map[string]Strings
}

// UnmarshalJSON implements the forms described on PolicyDocument.
func (d *PolicyDocument) UnmarshalJSON(b []byte) error {
	raw, err := unwrap(b, false) // json.Unmarshal below validates it
	if err != nil {
		return err
	}
	*d = PolicyDocument{}
	if raw == nil {
		return nil
	}
	if raw[0] == '[' {
		var docs []json.RawMessage
		if err := json.Unmarshal(raw, &docs); err != nil {
			return err
		}
		for _, r := range docs {
			var one PolicyDocument
			if err := one.UnmarshalJSON(r); err != nil {
				return err
			}
			if d.Version == "" {
				d.Version = one.Version
			}
			d.Statement = append(d.Statement, one.Statement...)
		}
		return nil
	}
	var w struct {
		Version   string
		Statement statements
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return fmt.Errorf("policy document: %w", err)
	}
	d.Version, d.Statement = w.Version, w.Statement
	return nil
}

// statements decodes a document's Statement: one statement or a list of them, in the
// same pass as the document.
type statements []Statement

func (ss *statements) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*ss = nil
	case b[0] == '{':
		var s Statement
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("Statement: %w", err)
		}
		*ss = statements{s}
	default:
		var list []Statement
		if err := json.Unmarshal(b, &list); err != nil {
			return fmt.Errorf("Statement: %w", err)
		}
		*ss = list
	}
	return nil
}

// Strings is a policy element that is either one string or a list of strings.
type Strings []string

// UnmarshalJSON accepts a string, a list of strings, a number or a boolean (conditions
// carry "false" and false alike).
func (s *Strings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = nil
	case b[0] == '[':
		if out, ok := plainStrings(b); ok {
			*s = out
			return nil
		}
		var raws []json.RawMessage
		if err := json.Unmarshal(b, &raws); err != nil {
			return err
		}
		out := make(Strings, 0, len(raws))
		for _, r := range raws {
			v, err := scalarString(r)
			if err != nil {
				v = strings.Trim(string(bytes.TrimSpace(r)), `"`)
			}
			out = append(out, v)
		}
		*s = out
	default:
		v, err := scalarString(b)
		if err != nil {
			v = string(b) // true/false
		}
		*s = Strings{v}
	}
	return nil
}

// plainStrings reads b, a JSON array, when every element is a string of printable
// ASCII without escapes (what policies hold); ok is false for anything else, which
// Strings.UnmarshalJSON then decodes in full.
func plainStrings(b []byte) (out Strings, ok bool) {
	i := 1
	skip := func() {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
	}
	skip()
	if i < len(b) && b[i] == ']' {
		return Strings{}, i == len(b)-1
	}
	for i < len(b) {
		if b[i] != '"' {
			return nil, false
		}
		start := i + 1
		for i = start; i < len(b) && b[i] != '"'; i++ {
			if c := b[i]; c < 0x20 || c >= 0x80 || c == '\\' {
				return nil, false
			}
		}
		if i >= len(b) {
			return nil, false
		}
		out = append(out, string(b[start:i]))
		i++
		skip()
		if i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case ']':
			return out, i == len(b)-1
		case ',':
			i++
			skip()
		default:
			return nil, false
		}
	}
	return nil, false
}

// Has reports whether s contains v exactly.
func (s Strings) Has(v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Principal maps a principal kind (AWS, Service, Federated, CanonicalUser) to its
// values. The bare "*" principal is stored as {"*": ["*"]}.
type Principal map[string]Strings

// UnmarshalJSON accepts "*" or an object of kinds.
func (p *Principal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*p = nil
		return nil
	}
	if b[0] == '"' {
		s, err := jsonString(b)
		if err != nil {
			return err
		}
		*p = Principal{"*": {s}}
		return nil
	}
	var m map[string]Strings
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("Principal: %w", err)
	}
	*p = m
	return nil
}

// Public reports whether the principal is everyone: "*", or "*" among the AWS or
// CanonicalUser principals.
func (p Principal) Public() bool {
	for kind, vals := range p {
		if kind == "Service" || kind == "Federated" {
			continue
		}
		if vals.Has("*") {
			return true
		}
	}
	return false
}

// Allow and Deny report the statement's effect.
func (s Statement) Allow() bool { return strings.EqualFold(s.Effect, "Allow") }

// Deny reports whether the statement's effect is Deny.
func (s Statement) Deny() bool { return strings.EqualFold(s.Effect, "Deny") }

// ActionMatches reports whether the statement's Action covers action (e.g.
// "s3:GetObject"), with IAM wildcards and case-insensitively; a NotAction statement
// covers every action it does not list.
func (s Statement) ActionMatches(action string) bool {
	if len(s.NotAction) > 0 {
		for _, a := range s.NotAction {
			if WildcardMatch(a, action) {
				return false
			}
		}
		return true
	}
	for _, a := range s.Action {
		if WildcardMatch(a, action) {
			return true
		}
	}
	return false
}

// FullAdmin reports whether s is an Allow of Action "*" on Resource "*".
func (s Statement) FullAdmin() bool {
	return s.Allow() && s.Action.Has("*") && s.Resource.Has("*")
}

// restrictingKeys are condition keys that confine a public principal to known callers;
// a statement conditioned on one of them is not public.
var restrictingKeys = []string{
	"aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourcevpc", "aws:sourcevpce",
	"aws:sourceip", "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount",
	"aws:principalarn", "aws:userid", "aws:username", "aws:principalserviceName", "aws:sourceorgid",
	"aws:resourceorgid", "aws:sourceorgpaths", "aws:principalservicenameslist", "lambda:eventsourcetoken",
	"s3:dataaccesspointaccount", "s3:dataaccesspointarn", "kms:calleraccount", "kms:viaservice",
}

// Public reports whether s grants access to everyone: an Allow to a public principal
// with no condition on a key that confines callers (source ARN or account, VPC,
// IP, organisation, principal).
func (s Statement) Public() bool {
	if !s.Allow() || !s.Principal.Public() {
		return false
	}
	for _, keys := range s.Condition {
		for k := range keys {
			for _, r := range restrictingKeys {
				if strings.EqualFold(k, r) {
					return false
				}
			}
		}
	}
	return true
}

// WildcardMatch matches value against an IAM pattern with * and ?, case-insensitively.
func WildcardMatch(pattern, value string) bool {
	p, v := strings.ToLower(pattern), strings.ToLower(value)
	// Iterative glob with backtracking on the last *.
	pi, vi, star, mark := 0, 0, -1, 0
	for vi < len(v) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == v[vi]):
			pi++
			vi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, vi
			pi++
		case star >= 0:
			pi, mark = star+1, mark+1
			vi = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
