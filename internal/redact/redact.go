// Package redact hides the secrets that the URLs naming catalog sources and notification
// targets may carry, so that logs, metrics, notifications and /healthz can name them.
package redact

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
)

// Mask replaces each secret.
const Mask = "xxxxx"

// minSecret is the length below which a query value is not searched for in text: so short
// a value is no secret, and masking every occurrence of it would garble messages.
const minSecret = 4

// URL returns the URL s with what may be secret in it masked: the password of its user
// info (of an inner URL too, as in webhook:https://...; or what precedes "@" in
// scheme:USER:PASS@HOST) and the value of every query parameter (a parameter without
// "=" is masked whole).
// Scheme, user name, host, path and fragment are kept, so the result still tells which
// source or target is meant, and stays the same when only a secret changes. A string
// that does not parse as a URL keeps only its scheme.
func URL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if i := strings.Index(s, "://"); i >= 0 && !strings.ContainsAny(s[:i], "@?/") {
			return s[:i+3] + "..."
		}
		return "..."
	}
	if u.Opaque != "" {
		// scheme:URL, as in webhook:https://...: the inner URL is what may hold secrets.
		if rest := s[len(u.Scheme)+1:]; strings.Contains(rest, "://") {
			return u.Scheme + ":" + URL(rest)
		}
		// scheme:USER:PASS@HOST without slashes.
		if i := strings.LastIndex(u.Opaque, "@"); i >= 0 {
			u.Opaque = Mask + u.Opaque[i:]
		}
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), Mask)
		}
	}
	if u.RawQuery != "" || u.ForceQuery {
		u.RawQuery = maskQuery(u.RawQuery)
	}
	out := u.String()
	// url.URL escapes the mask's user info like any other; keep it readable.
	return strings.Replace(out, ":"+url.PathEscape(Mask)+"@", ":"+Mask+"@", 1)
}

func maskQuery(q string) string {
	if q == "" {
		return ""
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		if k, _, ok := strings.Cut(p, "="); ok {
			parts[i] = k + "=" + Mask
		} else if p != "" {
			parts[i] = Mask
		}
	}
	return strings.Join(parts, "&")
}

// Text returns text with every secret of the URL s that URL masks (the password and the
// query values, as written and decoded) replaced by Mask: for messages, such as those of
// HTTP clients, that quote the URL. Query values shorter than four bytes are left alone.
func Text(text, s string) string {
	secrets := Secrets(s)
	if len(secrets) == 0 {
		return text
	}
	pairs := make([]string, 0, 2*len(secrets))
	for _, sec := range secrets {
		pairs = append(pairs, sec, Mask)
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// Secrets returns what URL masks in s, as written and decoded, longest first; the
// whole string when it does not parse.
func Secrets(s string) []string {
	u, err := url.Parse(s)
	if err != nil {
		return []string{s}
	}
	if u.Opaque != "" {
		if rest := s[len(u.Scheme)+1:]; strings.Contains(rest, "://") {
			return Secrets(rest)
		}
	}
	var out []string
	add := func(raw string) {
		for _, v := range []string{raw, unescape(raw)} {
			if len(v) >= minSecret && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	if i := strings.LastIndex(u.Opaque, "@"); i >= 0 {
		add(u.Opaque[:i])
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			add(p)
			add(url.PathEscape(p))
			add(url.QueryEscape(p))
		}
	}
	for _, p := range strings.Split(u.RawQuery, "&") {
		if _, v, ok := strings.Cut(p, "="); ok {
			add(v)
		} else {
			add(p)
		}
	}
	// Longest first, so that a secret holding another is masked whole.
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return out
}

func unescape(s string) string {
	if v, err := url.QueryUnescape(s); err == nil {
		return v
	}
	return s
}

// Error returns err with its message passed through Text for the URL s, or nil for nil.
// errors.Is and errors.As still see err.
func Error(err error, s string) error {
	if err == nil {
		return nil
	}
	msg := Text(err.Error(), s)
	if msg == err.Error() {
		return err
	}
	return &redacted{msg: msg, err: err}
}

type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }
