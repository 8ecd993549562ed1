package library

import (
	"cmp"
	"context"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
)

// Who manages a control, as ControlQuery.ManagedBy names it.
const (
	ManagedByFile = "file" // a catalog source (files, a bucket, a repository)
	ManagedByAPI  = "api"  // the API (and the console): custom controls no source declares
)

// ControlQuery selects controls of the caller's library. Empty members select all.
type ControlQuery struct {
	Type       probity.ControlType
	SourceType probity.SourceType // a data source of this type
	// Tag is "key" (the control has the tag) or "key=value".
	Tag string
	// ManagedBy is ManagedByFile or ManagedByAPI (standard content is managed by neither).
	ManagedBy string
	// Search is a case-insensitive part of the name or the description.
	Search string
	// After is the Next of the previous page; empty starts at the first control.
	After string
	// Limit bounds the page; 0 or less means 50.
	Limit int
}

// ControlPage is one page of FindControls.
type ControlPage struct {
	Controls []probity.Control
	// Next is the ControlQuery.After of the next page; empty on the last one.
	Next string
}

// FindControls returns a page of the controls the caller sees that match q, in name
// order (then id). It returns an EINVALID error for an unknown type, source type or
// manager, or a malformed After.
func (s *Service) FindControls(ctx context.Context, p auth.Principal, q ControlQuery) (*ControlPage, error) {
	var ck checker
	ck.check(q.Type == "" || slices.Contains(probity.ControlTypes, q.Type), "type", "must be one of Standard, Custom, Core")
	ck.check(q.SourceType == "" || slices.Contains(probity.SourceTypes, q.SourceType), "sourceType", "is not a data source type")
	ck.check(q.ManagedBy == "" || q.ManagedBy == ManagedByFile || q.ManagedBy == ManagedByAPI, "managedBy", "must be file or api")
	afterName, afterID, ok := decodeAfter(q.After)
	ck.check(ok, "after", "is not a page of this listing")
	if err := ck.err(); err != nil {
		return nil, err
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	// The whole library, filtered here: the store pages by type only.
	lib, err := s.Store.Library(ctx, p.AccountID)
	if err != nil {
		return nil, err
	}
	search := strings.ToLower(strings.TrimSpace(q.Search))
	tagKey, tagValue, byValue := strings.Cut(q.Tag, "=")
	var out []probity.Control
	for _, c := range lib.Controls {
		switch {
		case q.Type != "" && c.Type != q.Type,
			q.SourceType != "" && !slices.ContainsFunc(c.ControlMappingSources, func(m probity.ControlMappingSource) bool { return m.SourceType == q.SourceType }),
			q.ManagedBy == ManagedByFile && c.ManagedBy == "",
			q.ManagedBy == ManagedByAPI && (c.ManagedBy != "" || c.Type != probity.ControlTypeCustom),
			search != "" && !strings.Contains(strings.ToLower(c.Name), search) && !strings.Contains(strings.ToLower(c.Description), search):
			continue
		}
		if q.Tag != "" {
			v, has := c.Tags[tagKey]
			if !has || byValue && v != tagValue {
				continue
			}
		}
		if afterID != "" && cmp.Or(cmp.Compare(c.Name, afterName), cmp.Compare(c.ID, afterID)) <= 0 {
			continue
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b probity.Control) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	page := &ControlPage{Controls: out}
	if len(out) > q.Limit {
		page.Controls = out[:q.Limit]
		last := out[q.Limit-1]
		page.Next = base64.RawURLEncoding.EncodeToString([]byte(last.Name + "\x00" + last.ID))
	}
	return page, nil
}

// decodeAfter returns the name and id a ControlPage.Next names; ok is false for a
// malformed one.
func decodeAfter(after string) (name, id string, ok bool) {
	if after == "" {
		return "", "", true
	}
	b, err := base64.RawURLEncoding.DecodeString(after)
	if err != nil {
		return "", "", false
	}
	name, id, ok = strings.Cut(string(b), "\x00")
	return name, id, ok && id != ""
}
