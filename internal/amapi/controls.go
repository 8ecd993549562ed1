package amapi

import (
	"context"
	"regexp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

type controlResponse struct {
	Control controlOut `json:"control"`
}

func createControl(ctx context.Context, h *Handler, c *call) (any, error) {
	var in controlIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	ctl := &probity.Control{
		ID: probity.NewID(), Type: probity.ControlTypeCustom, Name: in.Name, Description: in.Description,
		TestingInformation: in.TestingInformation, ActionPlanTitle: in.ActionPlanTitle,
		ActionPlanInstructions: in.ActionPlanInstructions, ControlMappingSources: in.ControlMappingSources,
		Tags: in.Tags, CreatedAt: c.now, CreatedBy: c.caller.Name, LastUpdatedAt: c.now, LastUpdatedBy: c.caller.Name,
	}
	for i := range ctl.ControlMappingSources {
		ctl.ControlMappingSources[i].SourceID = "" // not a member of CreateControlMappingSource
	}
	ctl.ARN = h.cfg.Partition.ARN("control", ctl.ID)
	if err := ctl.Validate(); err != nil {
		return nil, err
	}
	ctl.Normalize()
	err := h.cfg.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		if max := h.cfg.MaxCustomControls; max > 0 {
			n, err := tx.CountControls(ctx, probity.ControlTypeCustom)
			if err != nil {
				return err
			}
			if n >= max {
				return probity.Errorf(probity.EQUOTA, "The library already holds %d custom controls, the most this server allows.", n)
			}
		}
		return tx.PutControls(ctx, []*probity.Control{ctl})
	})
	if err != nil {
		return nil, err
	}
	return controlResponse{toControl(ctl)}, nil
}

func getControl(ctx context.Context, h *Handler, c *call) (any, error) {
	id := c.r.PathValue("controlId")
	if err := checkUUID("controlId", id); err != nil {
		return nil, err
	}
	ctl, err := h.cfg.Store.Control(ctx, id)
	if err != nil {
		return nil, asNotFound(err, "control", id)
	}
	return controlResponse{toControl(ctl)}, nil
}

func updateControl(ctx context.Context, h *Handler, c *call) (any, error) {
	id := c.r.PathValue("controlId")
	if err := checkUUID("controlId", id); err != nil {
		return nil, err
	}
	var in controlIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var out *probity.Control
	err := h.cfg.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		old, err := tx.Control(ctx, id)
		if err != nil {
			return asNotFound(err, "control", id)
		}
		if err := editable("control", id, old.Type, old.ManagedBy); err != nil {
			return err
		}
		ctl := *old
		ctl.Name, ctl.Description, ctl.TestingInformation = in.Name, in.Description, in.TestingInformation
		ctl.ActionPlanTitle, ctl.ActionPlanInstructions = in.ActionPlanTitle, in.ActionPlanInstructions
		ctl.ControlMappingSources = in.ControlMappingSources
		ctl.LastUpdatedAt, ctl.LastUpdatedBy = c.now, c.caller.Name
		if err := ctl.Validate(); err != nil {
			return err
		}
		if err := ctl.KeepSourceIDs(old); err != nil {
			return err
		}
		ctl.Normalize()
		out = &ctl
		return tx.PutControls(ctx, []*probity.Control{&ctl})
	})
	if err != nil {
		return nil, err
	}
	return controlResponse{toControl(out)}, nil
}

func deleteControl(ctx context.Context, h *Handler, c *call) (any, error) {
	id := c.r.PathValue("controlId")
	if err := checkUUID("controlId", id); err != nil {
		return nil, err
	}
	return nil, h.cfg.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		old, err := tx.Control(ctx, id)
		if err != nil {
			return asNotFound(err, "control", id)
		}
		if err := editable("control", id, old.Type, old.ManagedBy); err != nil {
			return err
		}
		if err := tx.DeleteControls(ctx, []string{id}); probity.ErrorCode(err) == probity.ECONFLICT {
			return validation(reasonOther, "The control %s is used by a framework; remove it from the framework first.", id)
		} else if err != nil {
			return err
		}
		return nil
	})
}

// editable returns a ValidationException unless the API may change the resource: a
// custom one that no catalog source manages (the source would undo the change).
func editable(kind, id, typ, managedBy string) error {
	switch {
	case typ != probity.ControlTypeCustom:
		return validation(reasonOther, "The %s %s is a %s %s; only custom ones can be changed.", kind, id, typ, kind)
	case managedBy != "":
		return validation(reasonOther, "The %s %s is managed by the catalog source %s; change it there.", kind, id, managedBy)
	}
	return nil
}

var catalogIDPattern = regexp.MustCompile(`^arn:.*:controlcatalog:.*|UNCATEGORIZED$`)

type listControlsResponse struct {
	ControlMetadataList []controlMetadata `json:"controlMetadataList"`
	NextToken           string            `json:"nextToken,omitempty"`
}

func listControls(ctx context.Context, h *Handler, c *call) (any, error) {
	typ, err := c.enumQuery("controlType", true, probity.ControlTypes...)
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
	page, err := h.cfg.Store.ControlSummaries(ctx, store.Page{Type: typ, After: after, Limit: limit + 1})
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
