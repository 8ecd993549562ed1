package amapi

import (
	"context"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// Share request statuses and the service's timings.
const (
	shareActive   = "ACTIVE"
	shareShared   = "SHARED"
	shareExpiring = "EXPIRING"
	shareExpired  = "EXPIRED"
	shareDeclined = "DECLINED"
	shareRevoked  = "REVOKED"

	shareLifetime = 120 * 24 * time.Hour // recipients have 120 days to answer
	expiringSoon  = 30 * 24 * time.Hour  // then the request shows as EXPIRING
)

var regionPattern = regexp.MustCompile(`^[a-z]{2}-[a-z]+-[0-9]{1}$`)

// status returns the status a request shows at now: an unanswered request is EXPIRING in
// its last 30 days and EXPIRED after them.
func status(r *store.ShareRequest, now time.Time) string {
	if r.Status != shareActive {
		return r.Status
	}
	switch {
	case !now.Before(r.ExpiresAt):
		return shareExpired
	case r.ExpiresAt.Sub(now) <= expiringSoon:
		return shareExpiring
	}
	return shareActive
}

func toShare(r *store.ShareRequest, now time.Time) shareOut {
	return shareOut{
		ID: r.ID, FrameworkID: r.FrameworkID, FrameworkName: r.FrameworkName, FrameworkDescription: r.FrameworkDescription,
		Status: status(r, now), SourceAccount: r.SourceAccount, DestinationAccount: r.DestinationAccount,
		DestinationRegion: r.DestinationRegion, ExpirationTime: epoch(r.ExpiresAt), CreationTime: epoch(r.CreatedAt),
		LastUpdated: epoch(r.UpdatedAt), Comment: r.Comment, StandardControlsCount: r.StandardControls,
		CustomControlsCount: r.CustomControls, ComplianceType: r.ComplianceType,
	}
}

type shareResponse struct {
	Request shareOut `json:"assessmentFrameworkShareRequest"`
}

func startShare(ctx context.Context, h *Handler, c *call) (any, error) {
	id := c.r.PathValue("frameworkId")
	if err := checkUUID("frameworkId", id); err != nil {
		return nil, err
	}
	var in struct {
		DestinationAccount string `json:"destinationAccount"`
		DestinationRegion  string `json:"destinationRegion"`
		Comment            string `json:"comment"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var ck fieldChecker
	ck.check(account12.MatchString(in.DestinationAccount), "destinationAccount", "must be 12 digits")
	ck.check(in.DestinationAccount != c.caller.AccountID, "destinationAccount", "must be another account than the sender's")
	ck.check(regionPattern.MatchString(in.DestinationRegion), "destinationRegion", "must be a region such as us-east-1")
	ck.check(in.DestinationRegion == h.cfg.Partition.Region, "destinationRegion", "must be %s, the region this server serves", h.cfg.Partition.Region)
	if reason := probity.CheckText(in.Comment, probity.FreeText); reason != "" {
		ck.check(false, "comment", "%s", reason)
	} else {
		ck.check(utf8.RuneCountInString(in.Comment) <= 500, "comment", "must be at most 500 characters")
	}
	if err := ck.err(); err != nil {
		return nil, err
	}
	f, err := h.cfg.Store.Framework(ctx, id)
	if err != nil {
		return nil, asNotFound(err, "assessmentFramework", id)
	}
	if f.Type != probity.FrameworkTypeCustom {
		return nil, validation(reasonOther, "The framework %s is a standard framework; only custom frameworks can be shared.", id)
	}
	r := &store.ShareRequest{
		ID: probity.NewID(), FrameworkID: f.ID, FrameworkName: f.Name, FrameworkDescription: f.Description,
		ComplianceType: f.ComplianceType, SourceAccount: c.caller.AccountID, DestinationAccount: in.DestinationAccount,
		DestinationRegion: in.DestinationRegion, Comment: in.Comment, Status: shareActive,
		CreatedAt: c.now, ExpiresAt: c.now.Add(shareLifetime), UpdatedAt: c.now,
	}
	seen := map[string]bool{}
	for _, cs := range f.ControlSets {
		for _, cid := range cs.Controls {
			if seen[cid] {
				continue
			}
			seen[cid] = true
			ctl, err := h.cfg.Store.Control(ctx, cid)
			if err != nil {
				return nil, err
			}
			if ctl.Type == probity.ControlTypeCustom {
				r.CustomControls++
			} else {
				r.StandardControls++
			}
		}
	}
	if err := h.cfg.Store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.CreateShareRequest(ctx, r) }); err != nil {
		return nil, err
	}
	return shareResponse{toShare(r, c.now)}, nil
}

type listSharesResponse struct {
	Requests  []shareOut `json:"assessmentFrameworkShareRequests"`
	NextToken string     `json:"nextToken,omitempty"`
}

func listShares(ctx context.Context, h *Handler, c *call) (any, error) {
	typ, err := c.enumQuery("requestType", true, "SENT", "RECEIVED")
	if err != nil {
		return nil, err
	}
	limit, after, err := c.pageParams(tokenShares)
	if err != nil {
		return nil, err
	}
	page, err := h.cfg.Store.ShareRequests(ctx, store.ShareQuery{Account: c.caller.AccountID, Sent: typ == "SENT", After: after, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	resp := listSharesResponse{Requests: make([]shareOut, 0, len(page))}
	if len(page) > limit {
		page = page[:limit]
		last := page[limit-1]
		resp.NextToken = nextToken(tokenShares, store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	for i := range page {
		resp.Requests = append(resp.Requests, toShare(&page[i], c.now))
	}
	return resp, nil
}

// ownShare returns the request id if the caller is on the requestType side of it, and
// ResourceNotFoundException otherwise, so that other accounts' requests stay invisible.
func ownShare(ctx context.Context, h *Handler, c *call, id, requestType string) (*store.ShareRequest, error) {
	r, err := h.cfg.Store.ShareRequest(ctx, id)
	if err != nil {
		return nil, asNotFound(err, "assessmentFrameworkShareRequest", id)
	}
	side := r.DestinationAccount
	if requestType == "SENT" {
		side = r.SourceAccount
	}
	if side != c.caller.AccountID {
		return nil, notFound("assessmentFrameworkShareRequest", id)
	}
	return r, nil
}

func updateShare(ctx context.Context, h *Handler, c *call) (any, error) {
	id := c.r.PathValue("requestId")
	if err := checkUUID("requestId", id); err != nil {
		return nil, err
	}
	var in struct {
		RequestType string `json:"requestType"`
		Action      string `json:"action"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var to string
	switch {
	case in.RequestType != "SENT" && in.RequestType != "RECEIVED":
		return nil, invalidField("requestType", "must be SENT or RECEIVED")
	case in.RequestType == "RECEIVED" && in.Action == "ACCEPT":
		to = shareShared
	case in.RequestType == "RECEIVED" && in.Action == "DECLINE":
		to = shareDeclined
	case in.RequestType == "SENT" && in.Action == "REVOKE":
		to = shareRevoked
	default:
		return nil, invalidField("action", "must be ACCEPT or DECLINE for a RECEIVED request and REVOKE for a SENT one")
	}
	r, err := ownShare(ctx, h, c, id, in.RequestType)
	if err != nil {
		return nil, err
	}
	if st := status(r, c.now); st != shareActive && st != shareExpiring {
		return nil, validation(reasonOther, "The share request %s is %s; only an active request can be answered or revoked.", id, st)
	}
	if err := h.cfg.Store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.SetShareStatus(ctx, id, shareActive, to, c.now) }); probity.ErrorCode(err) == probity.ECONFLICT {
		return nil, validation(reasonOther, "The share request %s was answered or revoked meanwhile.", id)
	} else if err != nil {
		return nil, asNotFound(err, "assessmentFrameworkShareRequest", id)
	}
	r.Status, r.UpdatedAt = to, c.now
	return shareResponse{toShare(r, c.now)}, nil
}

func deleteShare(ctx context.Context, h *Handler, c *call) (any, error) {
	id := c.r.PathValue("requestId")
	if err := checkUUID("requestId", id); err != nil {
		return nil, err
	}
	typ, err := c.enumQuery("requestType", true, "SENT", "RECEIVED")
	if err != nil {
		return nil, err
	}
	if _, err := ownShare(ctx, h, c, id, typ); err != nil {
		return nil, err
	}
	return nil, asNotFound(h.cfg.Store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.DeleteShareRequest(ctx, id) }), "assessmentFrameworkShareRequest", id)
}
