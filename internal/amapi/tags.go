package amapi

import (
	"context"
	"maps"
	"regexp"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

var auditManagerARN = regexp.MustCompile(`^arn:.*:auditmanager:.*`)

// tagTarget is a resource that carries tags.
type tagTarget struct {
	kind, id string
}

// parseTagARN returns the resource an ARN names, or a ValidationException. The ARN must
// be text by the domain's rules (no control characters, valid UTF-8), since it is looked
// up and echoed back.
func parseTagARN(arn string) (tagTarget, error) {
	if len(arn) < 20 || len(arn) > 2048 || !auditManagerARN.MatchString(arn) {
		return tagTarget{}, invalidField("resourceArn", "must be an AWS Audit Manager ARN")
	}
	if reason := probity.CheckText(arn, probity.SingleLine); reason != "" {
		return tagTarget{}, invalidField("resourceArn", "%s", reason)
	}
	res := arn[strings.LastIndexByte(arn, ':')+1:]
	kind, id, _ := strings.Cut(res, "/")
	return tagTarget{kind: kind, id: id}, nil
}

// lookup reports whether the target can name a stored resource at all: every control and
// framework id is a UUID, so anything else is not found without asking the store.
func (t tagTarget) lookup() bool { return probity.IsUUID(t.id) }

// tagsOf returns the tags of the resource the ARN names, or ResourceNotFoundException.
func tagsOf(ctx context.Context, r store.Reader, arn string) (map[string]string, error) {
	t, err := parseTagARN(arn)
	if err != nil {
		return nil, err
	}
	switch {
	case !t.lookup():
	case t.kind == "control":
		c, err := r.Control(ctx, t.id)
		if err != nil || c.ARN != arn {
			return nil, notFoundARN(err, arn)
		}
		return c.Tags, nil
	case t.kind == "assessmentFramework":
		f, err := r.Framework(ctx, t.id)
		if err != nil || f.ARN != arn {
			return nil, notFoundARN(err, arn)
		}
		return f.Tags, nil
	}
	return nil, notFound("resource", arn)
}

func notFoundARN(err error, arn string) error {
	if err == nil || probity.ErrorCode(err) == probity.ENOTFOUND {
		return notFound("resource", arn)
	}
	return err
}

// retag changes the tags of the resource the ARN names with edit, inside one transaction.
func retag(ctx context.Context, h *Handler, arn string, edit func(map[string]string) map[string]string) error {
	t, err := parseTagARN(arn)
	if err != nil {
		return err
	}
	if !t.lookup() {
		return notFound("resource", arn)
	}
	return h.cfg.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		switch t.kind {
		case "control":
			c, err := tx.Control(ctx, t.id)
			if err != nil || c.ARN != arn {
				return notFoundARN(err, arn)
			}
			if c.ManagedBy != "" {
				return editable("control", c.ID, c.Type, c.ManagedBy)
			}
			c.Tags = edit(maps.Clone(c.Tags))
			if err := c.Validate(); err != nil {
				return err
			}
			c.Normalize()
			return tx.PutControls(ctx, []*probity.Control{c})
		case "assessmentFramework":
			f, err := tx.Framework(ctx, t.id)
			if err != nil || f.ARN != arn {
				return notFoundARN(err, arn)
			}
			if f.ManagedBy != "" {
				return editable("framework", f.ID, f.Type, f.ManagedBy)
			}
			f.Tags = edit(maps.Clone(f.Tags))
			if err := f.Validate(); err != nil {
				return err
			}
			f.Normalize()
			return tx.PutFrameworks(ctx, []*probity.Framework{f})
		}
		return notFound("resource", arn)
	})
}

type tagsResponse struct {
	Tags map[string]string `json:"tags"`
}

func listTags(ctx context.Context, h *Handler, c *call) (any, error) {
	tags, err := tagsOf(ctx, h.cfg.Store, c.r.PathValue("resourceArn"))
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return tagsResponse{tags}, nil
}

func tagResource(ctx context.Context, h *Handler, c *call) (any, error) {
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, invalidField("tags", "is required")
	}
	return nil, retag(ctx, h, c.r.PathValue("resourceArn"), func(tags map[string]string) map[string]string {
		if tags == nil {
			tags = map[string]string{}
		}
		maps.Copy(tags, in.Tags)
		return tags
	})
}

func untagResource(ctx context.Context, h *Handler, c *call) (any, error) {
	keys := c.r.URL.Query()["tagKeys"]
	if len(keys) > probity.MaxTags {
		return nil, invalidField("tagKeys", "must list at most %d tag keys, got %d", probity.MaxTags, len(keys))
	}
	if len(keys) == 0 {
		// The model asks for at least one key, but SDK code that removes every tag it
		// listed sends none for an untagged resource; removing nothing succeeds, once the
		// resource is known to exist.
		_, err := tagsOf(ctx, h.cfg.Store, c.r.PathValue("resourceArn"))
		return nil, err
	}
	return nil, retag(ctx, h, c.r.PathValue("resourceArn"), func(tags map[string]string) map[string]string {
		for _, k := range keys {
			delete(tags, k)
		}
		return tags
	})
}
