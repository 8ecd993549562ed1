package amapi

import (
	"context"
	"regexp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/store"
)

type controlResponse struct {
	Control controlOut `json:"control"`
}

func (in *controlIn) input() library.ControlInput {
	return library.ControlInput{Name: in.Name, Description: in.Description, TestingInformation: in.TestingInformation,
		ActionPlanTitle: in.ActionPlanTitle, ActionPlanInstructions: in.ActionPlanInstructions,
		ControlMappingSources: fromMappingSources(in.ControlMappingSources), Tags: in.Tags}
}

func createControl(ctx context.Context, h *Handler, c *call) (any, error) {
	var in controlIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	ctl, err := h.lib.CreateControl(ctx, c.caller, in.input())
	if err != nil {
		return nil, err
	}
	return controlResponse{toControl(ctl)}, nil
}

func getControl(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := controlID(c)
	if err != nil {
		return nil, err
	}
	ctl, err := h.lib.Control(ctx, c.caller, id)
	if err != nil {
		return nil, err
	}
	return controlResponse{toControl(ctl)}, nil
}

func updateControl(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := controlID(c)
	if err != nil {
		return nil, err
	}
	var in controlIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	ctl, err := h.lib.UpdateControl(ctx, c.caller, id, in.input())
	if err != nil {
		return nil, err
	}
	return controlResponse{toControl(ctl)}, nil
}

func deleteControl(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := controlID(c)
	if err != nil {
		return nil, err
	}
	return nil, h.lib.DeleteControl(ctx, c.caller, id)
}

var catalogIDPattern = regexp.MustCompile(`^arn:.*:controlcatalog:.*|UNCATEGORIZED$`)

type listControlsResponse struct {
	ControlMetadataList []controlMetadata `json:"controlMetadataList"`
	NextToken           string            `json:"nextToken,omitempty"`
}

func listControls(ctx context.Context, h *Handler, c *call) (any, error) {
	typ, err := c.enumQuery("controlType", true, names(probity.ControlTypes...)...)
	if err != nil {
		return nil, err
	}
	limit, after, err := c.pageParams(tokenControls)
	if err != nil {
		return nil, err
	}
	resp := listControlsResponse{ControlMetadataList: []controlMetadata{}}
	q := c.r.URL.Query()
	if q.Has("controlCatalogId") {
		id := q.Get("controlCatalogId")
		if len(id) < 13 || len(id) > 2048 || !catalogIDPattern.MatchString(id) {
			return nil, invalidField("controlCatalogId", "must be a Control Catalog ARN or UNCATEGORIZED")
		}
		if id != "UNCATEGORIZED" {
			// No Probity control is mapped to a Control Catalog resource.
			return resp, nil
		}
	}
	// One more than asked says whether another page follows.
	page, err := h.lib.Controls(ctx, c.caller, store.Page{Type: typ, After: after, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	if len(page) > limit {
		page = page[:limit]
		last := page[limit-1]
		resp.NextToken = nextToken(tokenControls, store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	for _, s := range page {
		resp.ControlMetadataList = append(resp.ControlMetadataList, toControlMetadata(s))
	}
	return resp, nil
}
