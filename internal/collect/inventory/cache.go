package inventory

import (
	"container/list"
	"context"
	"sync"

	"github.com/probity-dev/probity/internal/rules"
)

type cacheKey struct{ account, region, window string }

// snapshotCache keeps the most recently used encoded snapshots, and makes concurrent
// requests for one key wait for a single collection. The zero value is empty.
type snapshotCache struct {
	mu      sync.Mutex
	entries map[cacheKey]*list.Element // of *cacheEntry
	order   list.List                  // front: most recently used
}

type cacheEntry struct {
	key  cacheKey
	done chan struct{}
	data []byte
	err  error

	// evalMu guards evals and passes, and is held during a pass over data, so that
	// tasks sharing the snapshot wait for the pass that evaluates their rule.
	evalMu sync.Mutex
	evals  map[string]*evaluation // by rule ID: the checks are bound with defaults
	passes int                    // passes made over data
}

// evaluated returns the evaluation of check in the entry's snapshot: the one a previous
// pass kept, or that of a new pass over the snapshot evaluating check and the checks of
// batch not yet evaluated. Every evaluation is kept with the entry, errors included:
// the same snapshot always gives the same results, whatever the order of the tasks.
// Their clock is env.Now of the pass that made them.
func (e *cacheEntry) evaluated(check *rules.Check, batch []*rules.Check, region string, env rules.Env) *evaluation {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	if ev, ok := e.evals[check.Rule.ID]; ok {
		return ev
	}
	if e.evals == nil {
		e.evals = map[string]*evaluation{}
	}
	pending := []*rules.Check{check}
	for _, c := range batch {
		if _, ok := e.evals[c.Rule.ID]; !ok && c.Rule.ID != check.Rule.ID {
			pending = append(pending, c)
		}
	}
	e.passes++
	for i, ev := range evaluatePass(pending, e.data, region, env) {
		e.evals[pending[i].Rule.ID] = &ev
	}
	return e.evals[check.Rule.ID]
}

// entry returns the entry of key, its data from the cache or from fill, keeping at
// most size entries. A failed fill is removed, so the next call tries again; a caller
// whose ctx ends while another fills the entry returns ctx's error.
func (c *snapshotCache) entry(ctx context.Context, size int, key cacheKey, fill func(context.Context) ([]byte, error)) (*cacheEntry, error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[cacheKey]*list.Element{}
	}
	if el, ok := c.entries[key]; ok {
		c.order.MoveToFront(el)
		e := el.Value.(*cacheEntry)
		c.mu.Unlock()
		select {
		case <-e.done:
			if e.err != nil {
				return nil, e.err
			}
			return e, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e := &cacheEntry{key: key, done: make(chan struct{})}
	c.entries[key] = c.order.PushFront(e)
	for c.order.Len() > size {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.entries, old.Value.(*cacheEntry).key)
	}
	c.mu.Unlock()

	e.data, e.err = fill(ctx)
	close(e.done)
	if e.err != nil {
		c.mu.Lock()
		if el, ok := c.entries[key]; ok && el.Value == e {
			c.order.Remove(el)
			delete(c.entries, key)
		}
		c.mu.Unlock()
		return nil, e.err
	}
	return e, nil
}
