package rules

import (
	"errors"
	"io"

	"github.com/probity-dev/probity/internal/ci"
)

// Evaluate runs the check over everything dec yields and calls emit for each result.
// A lone CI always gets a result (NOT_APPLICABLE when out of scope); in a snapshot only
// in-scope items do, as AWS Config reports them. Account-level rules run once the
// stream ends, on the snapshot's account facts. Rules that read related items are
// evaluated by EvaluateRelated. The first error from decoding,
// evaluating or emit stops it and is returned.
func Evaluate(c *Check, dec *ci.Decoder, env Env, emit func(Result) error) error {
	if len(c.Rule.Related) > 0 {
		return EvaluateRelated(c, dec, env, func(_ *ci.Item, r Result) error { return emit(r) })
	}
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if dec.Container() && !c.Rule.InScope(it.ResourceType) {
			continue
		}
		if env.Account == nil {
			env.Account = dec.Account()
		}
		r, err := c.EvaluateItem(it, env)
		if err != nil {
			return err
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	if env.Account == nil {
		env.Account = dec.Account()
	}
	results, err := c.EvaluateAccount(env.Account, env)
	if err != nil {
		return err
	}
	for _, r := range results {
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}
