package rules

import (
	"errors"
	"io"
	"sync"

	"github.com/probity-dev/probity/internal/ci"
)

// Related is what a rule with Rule.Related sees of a snapshot besides the item it
// judges: the snapshot's items of the related types, whatever their order in the
// stream. AWS Config records some facts a rule needs on other resources than the one it
// judges (an Application Load Balancer's listeners are AWS::ElasticLoadBalancingV2::Listener
// items); see docs/decisions/0170-related-items.md. It is safe for concurrent use.
type Related struct {
	items map[string][]*ci.Item

	mu     sync.Mutex
	groups map[string]map[string][]*ci.Item
}

// NewRelated returns an index of items, which may be empty.
func NewRelated(items ...*ci.Item) *Related {
	r := &Related{items: map[string][]*ci.Item{}}
	for _, it := range items {
		r.add(it)
	}
	return r
}

func (r *Related) add(it *ci.Item) { r.items[it.ResourceType] = append(r.items[it.ResourceType], it) }

// Items returns the recorded items of resourceType that are not deleted, in stream order.
func (r *Related) Items(resourceType string) []*ci.Item {
	var out []*ci.Item
	for _, it := range r.items[resourceType] {
		if !it.Deleted() && it.HasConfiguration() {
			out = append(out, it)
		}
	}
	return out
}

// GroupBy returns the not deleted items of resourceType grouped by key(item), computed
// once per name (the first call's key function is kept), so that rules judging many
// items look their related items up in constant time. Items whose key fails to decode
// make it fail, naming the item.
func (r *Related) GroupBy(resourceType, name string, key func(*ci.Item) (string, error)) (map[string][]*ci.Item, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if g, ok := r.groups[name]; ok {
		return g, nil
	}
	g := map[string][]*ci.Item{}
	for _, it := range r.Items(resourceType) {
		k, err := key(it)
		if err != nil {
			return nil, errors.Join(errors.New(it.ResourceType+" "+it.ResourceID), err)
		}
		g[k] = append(g[k], it)
	}
	if r.groups == nil {
		r.groups = map[string]map[string][]*ci.Item{}
	}
	r.groups[name] = g
	return g, nil
}

// EvaluateRelated is Evaluate for a rule that reads related items (Rule.Related): it
// keeps the stream's items of the related types in a Related index and defers the
// in-scope items until the stream ends, then evaluates them with env.Related set, in
// stream order, and calls emit with each item and its result (a nil item for
// account-level results). Memory grows with the in-scope and related items only. A lone
// CI is evaluated with env.Related nil: the input says nothing of its related items.
func EvaluateRelated(c *Check, dec *ci.Decoder, env Env, emit func(*ci.Item, Result) error) error {
	idx := NewRelated()
	var deferred []*ci.Item
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if dec.Container() && inList(c.Rule.Related, it.ResourceType) {
			idx.add(it)
		}
		if !dec.Container() || c.Rule.InScope(it.ResourceType) {
			deferred = append(deferred, it)
		}
	}
	if env.Account == nil {
		env.Account = dec.Account()
	}
	if dec.Container() {
		env.Related = idx
	}
	for _, it := range deferred {
		r, err := c.EvaluateItem(it, env)
		if err != nil {
			return err
		}
		if err := emit(it, r); err != nil {
			return err
		}
	}
	results, err := c.EvaluateAccount(env.Account, env)
	if err != nil {
		return err
	}
	for _, r := range results {
		if err := emit(nil, r); err != nil {
			return err
		}
	}
	return nil
}
