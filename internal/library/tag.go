package library

import (
	"context"
	"maps"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// tagged is the entry an ARN names: arn:...:KIND/ID.
type tagged struct{ arn, kind, id string }

func parseARN(arn string) tagged {
	res := arn[strings.LastIndexByte(arn, ':')+1:]
	kind, id, _ := strings.Cut(res, "/")
	return tagged{arn: arn, kind: kind, id: id}
}

// read returns the control or framework the ARN names, as the account sees it, or
// ENOTFOUND. Every id is a UUID, so anything else is not found without asking the store.
func (t tagged) read(ctx context.Context, r store.Reader, account string) (*probity.Control, *probity.Framework, error) {
	missing := probity.NotFound("resource", t.arn)
	if !probity.IsUUID(t.id) {
		return nil, nil, missing
	}
	switch t.kind {
	case "control":
		c, err := r.Control(ctx, account, t.id)
		if probity.ErrorCode(err) == probity.ENOTFOUND || (err == nil && c.ARN != t.arn) {
			return nil, nil, missing
		}
		return c, nil, err
	case "assessmentFramework":
		f, err := r.Framework(ctx, account, t.id)
		if probity.ErrorCode(err) == probity.ENOTFOUND || (err == nil && f.ARN != t.arn) {
			return nil, nil, missing
		}
		return nil, f, err
	}
	return nil, nil, missing
}

// Tags returns the tags of the control or framework the ARN names, if the caller sees
// it; ENOTFOUND otherwise.
func (s *Service) Tags(ctx context.Context, p auth.Principal, arn string) (map[string]string, error) {
	c, f, err := parseARN(arn).read(ctx, s.Store, p.AccountID)
	switch {
	case err != nil:
		return nil, err
	case c != nil:
		return c.Tags, nil
	}
	return f.Tags, nil
}

// Tag adds the tags to the caller's control or framework, replacing the values of keys it
// has. It returns ENOTFOUND, EINVALID for an entry the API does not own or too many or
// malformed tags.
func (s *Service) Tag(ctx context.Context, p auth.Principal, arn string, tags map[string]string) error {
	return s.retag(ctx, p, arn, func(have map[string]string) map[string]string {
		if have == nil {
			have = map[string]string{}
		}
		maps.Copy(have, tags)
		return have
	})
}

// Untag removes the keys from the caller's control or framework; keys it does not have
// are ignored, and no keys change nothing (once the entry is known to exist).
func (s *Service) Untag(ctx context.Context, p auth.Principal, arn string, keys []string) error {
	if len(keys) == 0 {
		_, err := s.Tags(ctx, p, arn)
		return err
	}
	return s.retag(ctx, p, arn, func(have map[string]string) map[string]string {
		for _, k := range keys {
			delete(have, k)
		}
		return have
	})
}

// retag changes the tags of the entry the ARN names with edit, in one transaction.
func (s *Service) retag(ctx context.Context, p auth.Principal, arn string, edit func(map[string]string) map[string]string) error {
	return s.Store.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		c, f, err := parseARN(arn).read(ctx, tx, p.AccountID)
		if err != nil {
			return err
		}
		if c != nil {
			if err := c.CheckOwner(""); err != nil {
				return err
			}
			c.Tags = edit(maps.Clone(c.Tags))
			if err := c.Validate(); err != nil {
				return err
			}
			c.Normalize()
			return tx.PutControls(ctx, []*probity.Control{c})
		}
		if err := f.CheckOwner(""); err != nil {
			return err
		}
		f.Tags = edit(maps.Clone(f.Tags))
		if err := f.Validate(); err != nil {
			return err
		}
		f.Normalize()
		return tx.PutFrameworks(ctx, []*probity.Framework{f})
	})
}
