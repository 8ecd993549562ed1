package amapi

import (
	"context"
	"slices"
	"strings"

	"github.com/probity-dev/probity"
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

// putFramework checks that every control of f exists, answering ResourceNotFoundException
// for the first that does not, then stores f.
func putFramework(ctx context.Context, tx store.Tx, f *probity.Framework) error {
	seen := map[string]bool{}
	for _, cs := range f.ControlSets {
		for _, id := range cs.Controls {
			if seen[id] {
				continue
			}
			seen[id] = true
			if _, err := tx.Control(ctx, id); err != nil {
				return asNotFound(err, "control", id)
			}
		}
	}
	return tx.PutFrameworks(ctx, []*probity.Framework{f})
}

func createFramework(ctx context.Context, h *Handler, c *call) (any, error) {
	var in frameworkIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	f := &probity.Framework{
		ID: probity.NewID(), Type: probity.FrameworkTypeCustom, Name: in.Name, Description: in.Description,
		ComplianceType: in.ComplianceType, ControlSets: controlSets(in.ControlSets), Tags: in.Tags,
		CreatedAt: c.now, CreatedBy: c.caller.Name, LastUpdatedAt: c.now, LastUpdatedBy: c.caller.Name,
	}
	for i := range f.ControlSets {
		f.ControlSets[i].ID = "" // not a member of CreateAssessmentFrameworkControlSet
	}
	f.ARN = h.cfg.Partition.ARN("assessmentFramework", f.ID)
	if err := f.Validate(); err != nil {
		return nil, err
	}
	f.Normalize()
	var out frameworkOut
	err := h.cfg.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		if max := h.cfg.MaxCustomFrameworks; max > 0 {
			n, err := tx.CountFrameworks(ctx, probity.FrameworkTypeCustom)
			if err != nil {
				return err
			}
			if n >= max {
				return probity.Errorf(probity.EQUOTA, "The library already holds %d custom frameworks, the most this server allows.", n)
			}
		}
		if err := putFramework(ctx, tx, f); err != nil {
			return err
		}
		var err error
		out, err = expandFramework(ctx, tx, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return frameworkResponse{out}, nil
}

// expandFramework returns the wire form of f, with its controls in full as the model's
// ControlSet has them.
func expandFramework(ctx context.Context, r store.Reader, f *probity.Framework) (frameworkOut, error) {
	out := frameworkOut{
		ARN: f.ARN, ID: f.ID, Name: f.Name, Type: f.Type, ComplianceType: f.ComplianceType,
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
				ctl, err := r.Control(ctx, id)
				if err != nil {
					return frameworkOut{}, err
				}
				co = toControl(ctl)
				cache[id] = co
				for _, s := range ctl.ControlMappingSources {
					if !slices.Contains(sources, s.SourceType) {
						sources = append(sources, s.SourceType)
					}
				}
			}
			set.Controls = append(set.Controls, co)
		}
		out.ControlSets = append(out.ControlSets, set)
	}
	out.ControlSources = strings.Join(sources, ", ")
	return out, nil
}

func getFramework(ctx context.Context, h *Handler, c *call) (any, error) {
	id := c.r.PathValue("frameworkId")
	if err := checkUUID("frameworkId", id); err != nil {
		return nil, err
	}
	f, err := h.cfg.Store.Framework(ctx, id)
	if err != nil {
		return nil, asNotFound(err, "assessmentFramework", id)
	}
	out, err := expandFramework(ctx, h.cfg.Store, f)
	if err != nil {
		return nil, err
	}
	return frameworkResponse{out}, nil
}

func updateFramework(ctx context.Context, h *Handler, c *call) (any, error) {
	id := c.r.PathValue("frameworkId")
	if err := checkUUID("frameworkId", id); err != nil {
		return nil, err
	}
	var in frameworkIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var out frameworkOut
	err := h.cfg.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		old, err := tx.Framework(ctx, id)
		if err != nil {
			return asNotFound(err, "assessmentFramework", id)
		}
		if err := editable("framework", id, old.Type, old.ManagedBy); err != nil {
			return err
		}
		f := *old
		f.Name, f.Description, f.ComplianceType = in.Name, in.Description, in.ComplianceType
		f.ControlSets = controlSets(in.ControlSets)
		f.LastUpdatedAt, f.LastUpdatedBy = c.now, c.caller.Name
		if err := f.Validate(); err != nil {
			return err
		}
		if err := f.KeepControlSetIDs(old); err != nil {
			return err
		}
		f.Normalize()
		if err := putFramework(ctx, tx, &f); err != nil {
			return err
		}
		out, err = expandFramework(ctx, tx, &f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return frameworkResponse{out}, nil
}

func deleteFramework(ctx context.Context, h *Handler, c *call) (any, error) {
	id := c.r.PathValue("frameworkId")
	if err := checkUUID("frameworkId", id); err != nil {
		return nil, err
	}
	return nil, h.cfg.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		old, err := tx.Framework(ctx, id)
		if err != nil {
			return asNotFound(err, "assessmentFramework", id)
		}
		if err := editable("framework", id, old.Type, old.ManagedBy); err != nil {
			return err
		}
		return tx.DeleteFrameworks(ctx, []string{id})
	})
}

type listFrameworksResponse struct {
	FrameworkMetadataList []frameworkMetadata `json:"frameworkMetadataList"`
	NextToken             string              `json:"nextToken,omitempty"`
}

func listFrameworks(ctx context.Context, h *Handler, c *call) (any, error) {
	typ, err := c.enumQuery("frameworkType", true, probity.FrameworkTypeStandard, probity.FrameworkTypeCustom)
	if err != nil {
		return nil, err
	}
	limit, after, err := c.pageParams(tokenFrameworks)
	if err != nil {
		return nil, err
	}
	page, err := h.cfg.Store.FrameworkSummaries(ctx, store.Page{Type: typ, After: after, Limit: limit + 1})
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
