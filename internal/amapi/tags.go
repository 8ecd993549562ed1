package amapi

import (
	"context"
	"maps"
	"regexp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
)

var auditManagerARN = regexp.MustCompile(`^arn:.*:auditmanager:.*`)

// tagARN returns the request's resource ARN, or a ValidationException. The ARN must be
// text by the domain's rules (no control characters, valid UTF-8), since it is looked up
// and echoed back.
func tagARN(c *call) (string, error) {
	arn := c.r.PathValue("resourceArn")
	if len(arn) < 20 || len(arn) > 2048 || !auditManagerARN.MatchString(arn) {
		return "", invalidField("resourceArn", "must be an AWS Audit Manager ARN")
	}
	if reason := probity.CheckText(arn, probity.SingleLine); reason != "" {
		return "", invalidField("resourceArn", "%s", reason)
	}
	return arn, nil
}

type tagsResponse struct {
	Tags map[string]string `json:"tags"`
}

func listTags(ctx context.Context, h *Handler, c *call) (any, error) {
	arn, err := tagARN(c)
	if err != nil {
		return nil, err
	}
	var tags map[string]string
	if assess.IsAssessmentARN(arn) {
		tags, err = h.assess.Tags(ctx, c.caller, arn)
	} else {
		tags, err = h.lib.Tags(ctx, c.caller, arn)
	}
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return tagsResponse{tags}, nil
}

func tagResource(ctx context.Context, h *Handler, c *call) (any, error) {
	arn, err := tagARN(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, invalidField("tags", "is required")
	}
	if assess.IsAssessmentARN(arn) {
		return nil, h.assess.Retag(ctx, c.caller, arn, func(have map[string]string) map[string]string {
			if have == nil {
				have = map[string]string{}
			}
			maps.Copy(have, in.Tags)
			return have
		})
	}
	return nil, h.lib.Tag(ctx, c.caller, arn, in.Tags)
}

func untagResource(ctx context.Context, h *Handler, c *call) (any, error) {
	arn, err := tagARN(c)
	if err != nil {
		return nil, err
	}
	keys := c.r.URL.Query()["tagKeys"]
	if len(keys) > probity.MaxTags {
		return nil, invalidField("tagKeys", "must list at most %d tag keys, got %d", probity.MaxTags, len(keys))
	}
	// The model asks for at least one key, but SDK code that removes every tag it listed
	// sends none for an untagged resource; removing nothing succeeds.
	if assess.IsAssessmentARN(arn) {
		if len(keys) == 0 {
			_, err := h.assess.Tags(ctx, c.caller, arn)
			return nil, err
		}
		return nil, h.assess.Retag(ctx, c.caller, arn, func(have map[string]string) map[string]string {
			for _, k := range keys {
				delete(have, k)
			}
			return have
		})
	}
	return nil, h.lib.Untag(ctx, c.caller, arn, keys)
}
