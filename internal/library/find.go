package library

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// Who manages a control, as ControlQuery.ManagedBy names it.
const (
	ManagedByFile = store.ManagedByFile // a catalog source (files, a bucket, a repository)
	ManagedByAPI  = store.ManagedByAPI  // the API (and the console): custom controls no source declares
)

// ControlQuery selects controls of the caller's library. Empty members select all.
type ControlQuery struct {
	Type       probity.ControlType
	SourceType probity.SourceType // a data source of this type
	// Tag is "key" (the control has the tag) or "key=value".
	Tag string
	// Domain is the control's domain (probity.DomainUncategorized: none).
	Domain string
	// ManagedBy is ManagedByFile or ManagedByAPI (standard content is managed by neither).
	ManagedBy string
	// Search is a part of the name or the description, in any case of its ASCII
	// letters (PostgreSQL: of any letter).
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

// FindControls returns a page of the controls the caller sees that match q, in byte
// order of name (then id), filtered and paged by the store so that a page costs about
// the same whatever the library's size. It returns an EINVALID error for an unknown type, source type or
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
	tagKey, tagValue, byValue := strings.Cut(strings.TrimSpace(q.Tag), "=")
	// One more than the page, to know whether another follows.
	out, err := s.Store.FindControls(ctx, store.ControlFilter{AccountID: p.AccountID, Type: q.Type, SourceType: q.SourceType,
		TagKey: tagKey, TagValue: tagValue, HasTagValue: byValue, Domain: strings.TrimSpace(q.Domain), ManagedBy: q.ManagedBy,
		Search: q.Search, AfterName: afterName, AfterID: afterID, Limit: q.Limit + 1})
	if err != nil {
		return nil, err
	}
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
