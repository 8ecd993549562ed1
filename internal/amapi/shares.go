package amapi

import (
	"context"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/store"
)

func toShare(r *probity.ShareRequest, now time.Time) shareOut {
	return shareOut{
		ID: r.ID, FrameworkID: r.FrameworkID, FrameworkName: r.FrameworkName, FrameworkDescription: r.FrameworkDescription,
		Status: string(r.StatusAt(now)), SourceAccount: r.SourceAccount, DestinationAccount: r.DestinationAccount,
		DestinationRegion: r.DestinationRegion, ExpirationTime: epoch(r.ExpiresAt), CreationTime: epoch(r.CreatedAt),
		LastUpdated: epoch(r.UpdatedAt), Comment: r.Comment, StandardControlsCount: r.StandardControls,
		CustomControlsCount: r.CustomControls, ComplianceType: r.ComplianceType,
	}
}

type shareResponse struct {
	Request shareOut `json:"assessmentFrameworkShareRequest"`
}

func startShare(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := c.pathUUID("frameworkId")
	if err != nil {
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
	r, err := h.lib.StartShare(ctx, c.caller, library.ShareInput{FrameworkID: id,
		DestinationAccount: in.DestinationAccount, DestinationRegion: in.DestinationRegion, Comment: in.Comment})
	if err != nil {
		return nil, err
	}
	return shareResponse{toShare(r, c.now)}, nil
}

type listSharesResponse struct {
	Requests  []shareOut `json:"assessmentFrameworkShareRequests"`
	NextToken string     `json:"nextToken,omitempty"`
}

var shareSides = []string{string(probity.ShareSent), string(probity.ShareReceived)}

func listShares(ctx context.Context, h *Handler, c *call) (any, error) {
	side, err := c.enumQuery("requestType", true, shareSides...)
	if err != nil {
		return nil, err
	}
	limit, after, err := c.pageParams(tokenShares)
	if err != nil {
		return nil, err
	}
	page, err := h.lib.Shares(ctx, c.caller, probity.ShareSide(side), after, limit+1)
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

func updateShare(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := c.pathUUID("requestId")
	if err != nil {
		return nil, err
	}
	var in struct {
		RequestType string `json:"requestType"`
		Action      string `json:"action"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	side := probity.ShareSide(in.RequestType)
	if side != probity.ShareSent && side != probity.ShareReceived {
		return nil, invalidField("requestType", "must be SENT or RECEIVED")
	}
	r, err := h.lib.AnswerShare(ctx, c.caller, id, side, probity.ShareAction(in.Action))
	if err != nil {
		return nil, err
	}
	return shareResponse{toShare(r, c.now)}, nil
}

func deleteShare(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := c.pathUUID("requestId")
	if err != nil {
		return nil, err
	}
	side, err := c.enumQuery("requestType", true, shareSides...)
	if err != nil {
		return nil, err
	}
	return nil, h.lib.DeleteShare(ctx, c.caller, id, probity.ShareSide(side))
}
