package amapi

import (
	"context"
	"slices"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/store"
)

type frameworkResponse struct {
	Framework frameworkOut `json:"framework"`
}

// controlSets converts the wire control sets, with the ids sent (UpdateAssessmentFramework
// only; see Framework.KeepControlSetIDs).
func controlSets(in []controlSetIn) []probity.ControlSet {
	out := make([]probity.ControlSet, 0, len(in))
	for _, s := range in {
		cs := probity.ControlSet{ID: s.ID, Name: s.Name, Controls: make([]string, 0, len(s.Controls))}
		for _, c := range s.Controls {
			cs.Controls = append(cs.Controls, c.ID)
		}
		out = append(out, cs)
	}
	return out
}

func (in *frameworkIn) input() library.FrameworkInput {
	return library.FrameworkInput{Name: in.Name, Description: in.Description, ComplianceType: in.ComplianceType,
		ControlSets: controlSets(in.ControlSets), Tags: in.Tags}
}

func createFramework(ctx context.Context, h *Handler, c *call) (any, error) {
	var in frameworkIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	v, err := h.lib.CreateFramework(ctx, c.caller, in.input())
	if err != nil {
		return nil, err
	}
	return frameworkResponse{toFramework(v)}, nil
}

// toFramework returns the wire form of a framework, with its controls in full as the
// model's ControlSet has them.
func toFramework(v *library.FrameworkView) frameworkOut {
	f := v.Framework
	out := frameworkOut{
		ARN: f.ARN, ID: f.ID, Name: f.Name, Type: string(f.Type), ComplianceType: f.ComplianceType,
		Description: f.Description, Logo: f.Logo, ControlSets: make([]controlSetOut, 0, len(f.ControlSets)),
		CreatedAt: epoch(f.CreatedAt), LastUpdatedAt: epoch(f.LastUpdatedAt), CreatedBy: f.CreatedBy,
		LastUpdatedBy: f.LastUpdatedBy, Tags: f.Tags,
	}
	var sources []string
	cache := map[string]controlOut{}
	for _, cs := range f.ControlSets {
		set := controlSetOut{ID: cs.ID, Name: cs.Name, Controls: make([]controlOut, 0, len(cs.Controls))}
		for _, id := range cs.Controls {
			co, ok := cache[id]
			if !ok {
				ctl := v.Controls[id]
				co = toControl(ctl)
				cache[id] = co
				for _, s := range ctl.ControlMappingSources {
					if t := string(s.SourceType); !slices.Contains(sources, t) {
						sources = append(sources, t)
					}
				}
			}
			set.Controls = append(set.Controls, co)
		}
		out.ControlSets = append(out.ControlSets, set)
	}
	out.ControlSources = strings.Join(sources, ", ")
	return out
}

func getFramework(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := c.pathUUID("frameworkId")
	if err != nil {
		return nil, err
	}
	v, err := h.lib.Framework(ctx, c.caller, id)
	if err != nil {
		return nil, err
	}
	return frameworkResponse{toFramework(v)}, nil
}

func updateFramework(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := c.pathUUID("frameworkId")
	if err != nil {
		return nil, err
	}
	var in frameworkIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	v, err := h.lib.UpdateFramework(ctx, c.caller, id, in.input())
	if err != nil {
		return nil, err
	}
	return frameworkResponse{toFramework(v)}, nil
}

func deleteFramework(ctx context.Context, h *Handler, c *call) (any, error) {
	id, err := c.pathUUID("frameworkId")
	if err != nil {
		return nil, err
	}
	return nil, h.lib.DeleteFramework(ctx, c.caller, id)
}

type listFrameworksResponse struct {
	FrameworkMetadataList []frameworkMetadata `json:"frameworkMetadataList"`
	NextToken             string              `json:"nextToken,omitempty"`
}

func listFrameworks(ctx context.Context, h *Handler, c *call) (any, error) {
	typ, err := c.enumQuery("frameworkType", true, names(probity.FrameworkTypes...)...)
	if err != nil {
		return nil, err
	}
	limit, after, err := c.pageParams(tokenFrameworks)
	if err != nil {
		return nil, err
	}
	page, err := h.lib.Frameworks(ctx, c.caller, store.Page{Type: typ, After: after, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	resp := listFrameworksResponse{FrameworkMetadataList: make([]frameworkMetadata, 0, len(page))}
	if len(page) > limit {
		page = page[:limit]
		last := page[limit-1]
		resp.NextToken = nextToken(tokenFrameworks, store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	for _, s := range page {
		resp.FrameworkMetadataList = append(resp.FrameworkMetadataList, toFrameworkMetadata(s))
	}
	return resp, nil
}
