package cache_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/cache"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// backends open two handles on one fresh database, as two processes would.
var backends = []struct {
	name string
	open func(t *testing.T) (store.Store, store.Store)
}{
	{"sqlite", func(t *testing.T) (store.Store, store.Store) {
		path := filepath.Join(t.TempDir(), "probity.db")
		return openTwice(t, func() (store.Store, error) { return sqlite.Open(context.Background(), path) })
	}},
	{"postgres", func(t *testing.T) (store.Store, store.Store) {
		dsn := pgtest.DSN(t)
		return openTwice(t, func() (store.Store, error) { return postgres.Open(context.Background(), dsn) })
	}},
}

func openTwice(t *testing.T, open func() (store.Store, error)) (store.Store, store.Store) {
	var out [2]store.Store
	for i := range out {
		s, err := open()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out[i] = s
	}
	return out[0], out[1]
}

// counting counts the library reads that reach the store.
type counting struct {
	store.Store
	reads atomic.Int64
}

func (c *counting) Control(ctx context.Context, account, id string) (*probity.Control, error) {
	c.reads.Add(1)
	return c.Store.Control(ctx, account, id)
}

func (c *counting) ControlSummaries(ctx context.Context, p store.Page) ([]store.ControlSummary, error) {
	c.reads.Add(1)
	return c.Store.ControlSummaries(ctx, p)
}

func (c *counting) FrameworkSummaries(ctx context.Context, p store.Page) ([]store.FrameworkSummary, error) {
	c.reads.Add(1)
	return c.Store.FrameworkSummaries(ctx, p)
}

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const account, other = storetest.Account, "444455556666"

var page = store.Page{Account: account, Type: string(probity.ControlTypeCustom), Limit: 100}

func put(t *testing.T, s store.Store, cs ...*probity.Control) {
	t.Helper()
	ctx := context.Background()
	if err := s.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutControls(ctx, cs) }); err != nil {
		t.Fatal(err)
	}
}

// names returns the names ControlSummaries gives, sorted.
func names(t *testing.T, s store.Store, p store.Page) []string {
	t.Helper()
	sums, err := s.ControlSummaries(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range sums {
		out = append(out, c.Name)
	}
	slices.Sort(out)
	return out
}

// TestReadsAfterWritesInProcess: whatever the write, a read that follows it through the
// same Store sees it, with no time passing; and reads of an unchanged library are
// served from memory.
func TestReadsAfterWritesInProcess(t *testing.T) {
	writes := []struct {
		name  string
		write func(tx store.Tx, c *probity.Control) error
		// want is the description GetControl must then show; "" means not found.
		want      string
		wantNames []string
	}{
		{"update", func(tx store.Tx, c *probity.Control) error {
			u := *c
			u.Description = "changed"
			return tx.PutControls(context.Background(), []*probity.Control{&u})
		}, "changed", []string{"first"}},
		{"delete", func(tx store.Tx, c *probity.Control) error {
			return tx.DeleteControls(context.Background(), account, []string{c.ID})
		}, "", nil},
		{"create another", func(tx store.Tx, c *probity.Control) error {
			return tx.PutControls(context.Background(), []*probity.Control{storetest.NewControl("second")})
		}, "description of first", []string{"first", "second"}},
	}
	for _, b := range backends {
		for _, w := range writes {
			t.Run(b.name+"/"+w.name, func(t *testing.T) {
				ctx := context.Background()
				raw, _ := b.open(t)
				inner := &counting{Store: raw}
				clk := &clock{t: time.Unix(1e9, 0)}
				s := cache.New(inner, time.Hour, clk.now) // only writes can refresh it
				c := storetest.NewControl("first")
				c.CreatedAt = time.Unix(1e9, 0)
				put(t, s, c)

				for range 3 {
					if _, err := s.Control(ctx, account, c.ID); err != nil {
						t.Fatal(err)
					}
					names(t, s, page)
				}
				if n := inner.reads.Load(); n != 2 {
					t.Errorf("3 rounds of reads of an unchanged library reached the store %d times, want 2", n)
				}

				if err := s.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return w.write(tx, c) }); err != nil {
					t.Fatal(err)
				}
				got, err := s.Control(ctx, account, c.ID)
				switch {
				case w.want == "" && probity.ErrorCode(err) != probity.ENOTFOUND:
					t.Errorf("Control after the write = %v, %v; want ENOTFOUND", got, err)
				case w.want != "" && (err != nil || got.Description != w.want):
					t.Errorf("Control after the write = %+v, %v; want description %q", got, err, w.want)
				}
				if got := names(t, s, page); !equal(got, w.wantNames) {
					t.Errorf("ControlSummaries after the write = %q, want %q", got, w.wantNames)
				}
			})
		}
	}
}

// TestAnotherProcessesWrite: a write through a second handle on the database (another
// process) is seen once CheckEvery has passed since the revision was read, for every
// kind of read.
func TestAnotherProcessesWrite(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			raw, second := b.open(t)
			clk := &clock{t: time.Unix(1e9, 0)}
			s := cache.New(raw, time.Second, clk.now)
			c := storetest.NewControl("first")
			put(t, second, c)
			fw := storetest.NewFramework("fw", []*probity.Control{c})
			if err := second.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
				return tx.PutFrameworks(ctx, []*probity.Framework{fw})
			}); err != nil {
				t.Fatal(err)
			}
			fpage := store.Page{Account: account, Type: string(probity.FrameworkTypeCustom), Limit: 10}
			if _, err := s.Control(ctx, account, c.ID); err != nil {
				t.Fatal(err)
			}
			names(t, s, page)
			if _, err := s.FrameworkSummaries(ctx, fpage); err != nil {
				t.Fatal(err)
			}

			u := *c
			u.Description = "changed elsewhere"
			put(t, second, &u, storetest.NewControl("second"))
			f := *fw
			f.ControlSets = append(f.ControlSets, probity.ControlSet{Name: "More", Controls: []string{c.ID}})
			f.Normalize()
			if err := second.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
				return tx.PutFrameworks(ctx, []*probity.Framework{&f})
			}); err != nil {
				t.Fatal(err)
			}

			clk.add(time.Second)
			got, err := s.Control(ctx, account, c.ID)
			if err != nil || got.Description != "changed elsewhere" {
				t.Errorf("Control after CheckEvery = %+v, %v; want the other process's change", got, err)
			}
			if got := names(t, s, page); !equal(got, []string{"first", "second"}) {
				t.Errorf("ControlSummaries after CheckEvery = %q, want both controls", got)
			}
			fs, err := s.FrameworkSummaries(ctx, fpage)
			if err != nil || len(fs) != 1 || fs[0].ControlSets != 2 {
				t.Errorf("FrameworkSummaries after CheckEvery = %+v, %v; want 2 control sets", fs, err)
			}
		})
	}
}

// TestAccountsStayApart: what one account read is never served to another, whichever
// reads first, and a change to one account's library leaves the other's entries alone.
func TestAccountsStayApart(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			raw, _ := b.open(t)
			inner := &counting{Store: raw}
			s := cache.New(inner, time.Hour, nil)
			mine := storetest.NewControl("mine")
			theirs := storetest.NewControl("theirs")
			theirs.AccountID = other
			theirs.ARN = probity.DefaultPartition.In(other).ARN("control", theirs.ID)
			put(t, s, mine, theirs)
			theirPage := page
			theirPage.Account = other

			for range 2 { // the second round is served from memory
				if _, err := s.Control(ctx, account, mine.ID); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Control(ctx, other, mine.ID); probity.ErrorCode(err) != probity.ENOTFOUND {
					t.Errorf("another account's Control of my id = %v, want ENOTFOUND", err)
				}
				if _, err := s.Control(ctx, account, theirs.ID); probity.ErrorCode(err) != probity.ENOTFOUND {
					t.Errorf("my Control of their id = %v, want ENOTFOUND", err)
				}
				if got := names(t, s, page); !equal(got, []string{"mine"}) {
					t.Errorf("my ControlSummaries = %q", got)
				}
				if got := names(t, s, theirPage); !equal(got, []string{"theirs"}) {
					t.Errorf("their ControlSummaries = %q", got)
				}
			}

			before := inner.reads.Load()
			put(t, s, storetest.NewControl("mine too"))
			names(t, s, theirPage)
			if _, err := s.Control(ctx, other, theirs.ID); err != nil {
				t.Fatal(err)
			}
			if n := inner.reads.Load() - before; n != 1 {
				// their page is cached; their control was never read successfully before
				t.Errorf("after a write to my library, their reads reached the store %d times, want 1", n)
			}
		})
	}
}

// TestCallersOwnWhatTheyGet: changing a control or page that a read returned does not
// change what the next read returns.
func TestCallersOwnWhatTheyGet(t *testing.T) {
	ctx := context.Background()
	raw, _ := backends[0].open(t)
	s := cache.New(raw, time.Hour, nil)
	c := storetest.NewControl("first")
	put(t, s, c)
	got, err := s.Control(ctx, account, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	got.Name = "scribbled"
	got.Tags["Owner"] = "scribbled"
	got.ControlMappingSources[0].SourceName = "scribbled"
	got.ControlMappingSources[0].SourceKeyword.KeywordValue = "scribbled"
	sums, _ := s.ControlSummaries(ctx, page)
	sums[0].Name = "scribbled"

	again, err := s.Control(ctx, account, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Name != c.Name || again.Tags["Owner"] != c.Tags["Owner"] || again.ControlMappingSources[0].SourceName != c.ControlMappingSources[0].SourceName ||
		again.ControlMappingSources[0].SourceKeyword.KeywordValue != c.ControlMappingSources[0].SourceKeyword.KeywordValue {
		t.Errorf("a caller's change reached the cache: %+v", again)
	}
	if got := names(t, s, page); !equal(got, []string{"first"}) {
		t.Errorf("a caller's change reached the cached page: %q", got)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestNoStaleReadUnderConcurrency: with readers filling the cache all along, every
// writer's next read shows its own write, whatever the interleaving.
func TestNoStaleReadUnderConcurrency(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			raw, _ := b.open(t)
			s := cache.New(raw, time.Hour, nil)
			const writers, rounds = 4, 15
			cs := make([]*probity.Control, writers)
			for i := range cs {
				cs[i] = storetest.NewControl(fmt.Sprint("control ", i))
			}
			put(t, s, cs...)
			stop := make(chan struct{})
			var readers sync.WaitGroup
			for range 4 {
				readers.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						for _, c := range cs {
							s.Control(ctx, account, c.ID)
						}
						s.ControlSummaries(ctx, page)
					}
				})
			}
			var writersDone sync.WaitGroup
			for i, c := range cs {
				writersDone.Go(func() {
					for round := range rounds {
						u := *c
						u.Description = fmt.Sprint("round ", round)
						if err := s.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
							return tx.PutControls(ctx, []*probity.Control{&u})
						}); err != nil {
							t.Error(err)
							return
						}
						got, err := s.Control(ctx, account, c.ID)
						if err != nil || got.Description != u.Description {
							t.Errorf("writer %d read %v, %v after writing %q", i, got, err, u.Description)
							return
						}
					}
				})
			}
			writersDone.Wait()
			close(stop)
			readers.Wait()
		})
	}
}
