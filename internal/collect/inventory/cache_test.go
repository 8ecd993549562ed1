package inventory

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// Concurrent requests for one key wait for one fill; a failed fill is not kept, so the
// next request fills again; the cache keeps at most size entries, dropping the least
// recently used.
func TestSnapshotCache(t *testing.T) {
	var c snapshotCache
	ctx := context.Background()
	k := func(region string) cacheKey { return cacheKey{"111111111111", region, "w"} }
	fills := map[cacheKey]int{}
	var mu sync.Mutex
	release := make(chan struct{})
	fill := func(key cacheKey) func(context.Context) ([]byte, error) {
		return func(context.Context) ([]byte, error) {
			mu.Lock()
			fills[key]++
			mu.Unlock()
			<-release
			return []byte(key.region), nil
		}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := c.get(ctx, 2, k("a"), fill(k("a"))); err != nil || string(got) != "a" {
				t.Errorf("get a = %q, %v", got, err)
			}
		}()
	}
	close(release)
	wg.Wait()
	if fills[k("a")] != 1 {
		t.Errorf("8 concurrent gets filled %d times, want 1", fills[k("a")])
	}

	boom := errors.New("boom")
	if _, err := c.get(ctx, 2, k("b"), func(context.Context) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("failed fill = %v, want boom", err)
	}
	if got, _ := c.get(ctx, 2, k("b"), fill(k("b"))); string(got) != "b" || fills[k("b")] != 1 {
		t.Errorf("get after a failure = %q with %d fills, want a new fill", got, fills[k("b")])
	}
	c.get(ctx, 2, k("c"), fill(k("c"))) // a was used least recently: dropped
	c.get(ctx, 2, k("a"), fill(k("a")))
	if fills[k("a")] != 2 || c.order.Len() != 2 {
		t.Errorf("a filled %d times, %d entries kept; want a filled again and 2 entries", fills[k("a")], c.order.Len())
	}
}

// get returns the data of key, from the cache or from fill, keeping at most size
// entries. A failed fill is removed, so the next get tries again; a caller whose ctx
// ends while another fills the entry returns ctx's error.
func (c *snapshotCache) get(ctx context.Context, size int, key cacheKey, fill func(context.Context) ([]byte, error)) ([]byte, error) {
	e, err := c.entry(ctx, size, key, fill)
	if err != nil {
		return nil, err
	}
	return e.data, nil
}
