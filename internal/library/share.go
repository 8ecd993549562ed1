package library

import (
	"context"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

var regionPattern = regexp.MustCompile(`^[a-z]{2}-[a-z]+-[0-9]{1}$`)

// ShareInput is an offer of a framework to another account.
type ShareInput struct {
	FrameworkID, DestinationAccount, DestinationRegion, Comment string
}

// StartShare offers the caller's custom framework to another account in this server's
// region, for ShareLifetime. It returns EINVALID for a bad destination or comment, a
// standard framework, or a request for the same framework and destination that is still
// open; ENOTFOUND for a framework the caller does not see.
func (s *Service) StartShare(ctx context.Context, p auth.Principal, in ShareInput) (*probity.ShareRequest, error) {
	var ck checker
	region := s.ServedRegion()
	ck.check(probity.IsAccountID(in.DestinationAccount), "destinationAccount", "must be 12 digits")
	ck.check(in.DestinationAccount != p.AccountID, "destinationAccount", "must be another account than the sender's")
	ck.check(regionPattern.MatchString(in.DestinationRegion), "destinationRegion", "must be a region such as us-east-1")
	ck.check(in.DestinationRegion == region, "destinationRegion", "must be %s, the region this server serves", region)
	if reason := probity.CheckText(in.Comment, probity.FreeText); reason != "" {
		ck.check(false, "comment", "%s", reason)
	} else {
		ck.check(utf8.RuneCountInString(in.Comment) <= 500, "comment", "must be at most 500 characters")
	}
	if err := ck.err(); err != nil {
		return nil, err
	}
	now := s.now()
	var r *probity.ShareRequest
	err := s.Store.Update(ctx, store.LockShares, func(tx store.Tx) error {
		v, err := frameworkIn(ctx, tx, p.AccountID, in.FrameworkID)
		if err != nil {
			return err
		}
		f := v.Framework
		if f.Type != probity.FrameworkTypeCustom {
			return probity.Errorf(probity.EINVALID, "The framework %s is a standard framework; only custom frameworks can be shared.", f.ID)
		}
		if err := checkNoOpenShare(ctx, tx, p.AccountID, f, in.DestinationAccount, now); err != nil {
			return err
		}
		r = &probity.ShareRequest{
			ID: probity.NewID(), FrameworkID: f.ID, FrameworkName: f.Name, FrameworkDescription: f.Description,
			ComplianceType: f.ComplianceType, SourceAccount: p.AccountID, DestinationAccount: in.DestinationAccount,
			DestinationRegion: in.DestinationRegion, Comment: in.Comment, Status: probity.ShareActive,
			CreatedAt: now, ExpiresAt: now.Add(probity.ShareLifetime), UpdatedAt: now,
		}
		for _, c := range v.Controls {
			if c.Type == probity.ControlTypeCustom {
				r.CustomControls++
			} else {
				r.StandardControls++
			}
		}
		return tx.CreateShareRequest(ctx, r)
	})
	return r, err
}

// checkNoOpenShare returns EINVALID when the account has a request for the framework to
// the destination that can still be answered.
func checkNoOpenShare(ctx context.Context, r store.Reader, account string, f *probity.Framework, destination string, now time.Time) error {
	q := store.ShareQuery{Account: account, Side: probity.ShareSent, FrameworkID: f.ID, Limit: 100}
	for {
		page, err := r.ShareRequests(ctx, q)
		if err != nil {
			return err
		}
		for _, o := range page {
			if st := o.StatusAt(now); o.DestinationAccount == destination && (st == probity.ShareActive || st == probity.ShareExpiring) {
				return probity.Errorf(probity.EINVALID, "The framework %s is already offered to account %s (share request %s); revoke that request first.", f.ID, destination, o.ID)
			}
		}
		if len(page) < q.Limit {
			return nil
		}
		last := page[len(page)-1]
		q.After = store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}

// Shares returns a page of the requests the caller sent or received.
func (s *Service) Shares(ctx context.Context, p auth.Principal, side probity.ShareSide, after store.Cursor, limit int) ([]probity.ShareRequest, error) {
	return s.Store.ShareRequests(ctx, store.ShareQuery{Account: p.AccountID, Side: side, After: after, Limit: limit})
}

// share returns the request if the caller is on the given side of it, and ENOTFOUND
// otherwise, so that other accounts' requests stay invisible.
func share(ctx context.Context, r store.Reader, p auth.Principal, id string, side probity.ShareSide) (*probity.ShareRequest, error) {
	req, err := r.ShareRequest(ctx, id)
	if err != nil {
		return nil, asNotFound(err, "assessmentFrameworkShareRequest", id)
	}
	if req.Account(side) != p.AccountID || !req.Visible(side) {
		return nil, probity.NotFound("assessmentFrameworkShareRequest", id)
	}
	return req, nil
}

// AnswerShare accepts, declines (the recipient) or revokes (the sender) a request that is
// still open. Accepting copies the framework into the caller's library, with copies of
// the custom controls it uses under new ids (standard ones are shared as they are),
// each copy the caller's to change; the sender's tags are not copied. Names the caller's
// library already holds get the suffix " (shared by ACCOUNT)", then a number, shortening
// the name when it would pass the longest a name may be. It returns ENOTFOUND for a request the
// caller is not on that side of, or a framework the sender no longer has, and EINVALID
// for an answer the side cannot give or a request no longer open.
func (s *Service) AnswerShare(ctx context.Context, p auth.Principal, id string, side probity.ShareSide, action probity.ShareAction) (*probity.ShareRequest, error) {
	now := s.now()
	var req *probity.ShareRequest
	// The library's lock: accepting writes the library like any other change, and the
	// status changes by compare-and-set, so two answers cannot both win.
	err := s.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		var err error
		if req, err = share(ctx, tx, p, id, side); err != nil {
			return err
		}
		to, err := req.Answer(side, action, now)
		if err != nil {
			return err
		}
		if to == probity.ShareShared {
			if err := s.copyShared(ctx, tx, p, req, now); err != nil {
				return err
			}
		}
		err = tx.SetShareStatus(ctx, id, probity.ShareActive, to, now)
		if probity.ErrorCode(err) == probity.ECONFLICT {
			return probity.Errorf(probity.EINVALID, "The share request %s was answered or revoked meanwhile.", id)
		} else if err != nil {
			return err
		}
		req.Status, req.UpdatedAt = to, now
		return nil
	})
	return req, err
}

// copyShared copies the shared framework, as the sender has it now, into the caller's
// library.
func (s *Service) copyShared(ctx context.Context, tx store.Tx, p auth.Principal, req *probity.ShareRequest, now time.Time) error {
	v, err := frameworkIn(ctx, tx, req.SourceAccount, req.FrameworkID)
	if err != nil {
		return err
	}
	mine, err := tx.Library(ctx, p.AccountID)
	if err != nil {
		return err
	}
	// Names are unique among an account's custom entries of one kind.
	taken := map[string]bool{}
	for _, c := range mine.Controls {
		if c.Type == probity.ControlTypeCustom {
			taken["c\x00"+c.Name] = true
		}
	}
	for _, f := range mine.Frameworks {
		if f.Type == probity.FrameworkTypeCustom {
			taken["f\x00"+f.Name] = true
		}
	}
	free := func(kind, name string) string {
		for i := 1; ; i++ {
			try := name
			if i > 1 {
				suffix := " (shared by " + req.SourceAccount + ")"
				if i > 2 {
					suffix = fmt.Sprintf(" (shared by %s, %d)", req.SourceAccount, i-1)
				}
				try = truncateRunes(name, maxNameLength-utf8.RuneCountInString(suffix)) + suffix
			}
			if !taken[kind+"\x00"+try] {
				taken[kind+"\x00"+try] = true
				return try
			}
		}
	}
	part := s.Partition(p.AccountID)
	newID := map[string]string{}
	var copies []*probity.Control
	for id, c := range v.Controls {
		if c.Type != probity.ControlTypeCustom {
			newID[id] = id
			continue
		}
		cp := *c
		cp.ID, cp.AccountID, cp.Name = probity.NewID(), p.AccountID, free("c", c.Name)
		cp.ARN = part.ARN("control", cp.ID)
		cp.CreatedAt, cp.LastUpdatedAt, cp.CreatedBy, cp.LastUpdatedBy = now, now, p.Name, p.Name
		cp.ManagedBy, cp.SourceDigest, cp.Tags = "", "", nil // the sender's tags are the sender's
		cp.ControlMappingSources = append([]probity.ControlMappingSource(nil), c.ControlMappingSources...)
		for i := range cp.ControlMappingSources {
			cp.ControlMappingSources[i].SourceID = ""
		}
		cp.Normalize()
		newID[id] = cp.ID
		copies = append(copies, &cp)
	}
	f := *v.Framework
	f.ID, f.AccountID, f.Name = probity.NewID(), p.AccountID, free("f", f.Name)
	f.ARN = part.ARN("assessmentFramework", f.ID)
	f.CreatedAt, f.LastUpdatedAt, f.CreatedBy, f.LastUpdatedBy, f.ManagedBy, f.Tags = now, now, p.Name, p.Name, "", nil
	f.ControlSets = make([]probity.ControlSet, len(v.Framework.ControlSets))
	for i, cs := range v.Framework.ControlSets {
		f.ControlSets[i] = probity.ControlSet{Name: cs.Name, Controls: make([]string, len(cs.Controls))}
		for k, id := range cs.Controls {
			f.ControlSets[i].Controls[k] = newID[id]
		}
	}
	f.Normalize()
	for _, c := range copies {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	if err := f.Validate(); err != nil {
		return err
	}
	if err := s.controlQuota(ctx, tx, p.AccountID, len(copies)); err != nil {
		return err
	}
	if err := s.frameworkQuota(ctx, tx, p.AccountID, 1); err != nil {
		return err
	}
	if err := tx.PutControls(ctx, copies); err != nil {
		return err
	}
	return tx.PutFrameworks(ctx, []*probity.Framework{&f})
}

// DeleteShare deletes a request the caller is on the given side of; ENOTFOUND otherwise.
func (s *Service) DeleteShare(ctx context.Context, p auth.Principal, id string, side probity.ShareSide) error {
	return s.Store.Update(ctx, store.LockShares, func(tx store.Tx) error {
		if _, err := share(ctx, tx, p, id, side); err != nil {
			return err
		}
		return tx.DeleteShareRequest(ctx, id, side)
	})
}

// maxNameLength is the longest name of a control or framework, in characters.
const maxNameLength = 300

// truncateRunes returns s cut to at most n characters.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
