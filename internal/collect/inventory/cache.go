package inventory

import (
	"container/list"
	"context"
	"sync"
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
}

// get returns the data of key, from the cache or from fill, keeping at most size
// entries. A failed fill is removed, so the next get tries again; a caller whose ctx
// ends while another fills the entry returns ctx's error.
func (c *snapshotCache) get(ctx context.Context, size int, key cacheKey, fill func(context.Context) ([]byte, error)) ([]byte, error) {
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
			return e.data, e.err
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
	}
	return e.data, e.err
}
