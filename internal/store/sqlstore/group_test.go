package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
	"github.com/probity-dev/probity/internal/store/sqlstore"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// backends runs test once on each backend, with a new empty store.
func backends(t *testing.T, test func(t *testing.T, s *sqlstore.DB)) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "probity.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		test(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		s, err := postgres.Open(ctx, pgtest.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		test(t, s)
	})
}

// waitUntil waits until cond holds; the test's deadline bounds the wait.
func waitUntil(cond func() bool) {
	for !cond() {
		runtime.Gosched()
	}
}

// holdLibrary starts an Update of the library area that holds it until release is
// called, and returns once it holds it. Updates of the area begun meanwhile queue, and the
// first group after release takes all of them.
func holdLibrary(t *testing.T, s *sqlstore.DB) (release func()) {
	held, hold, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.Update(context.Background(), store.LockLibrary, func(store.Tx) error {
			close(held)
			<-hold
			return nil
		})
	}()
	<-held
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(hold)
			if err := <-done; err != nil {
				t.Errorf("holding update: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// queued starts Updates of the library area with the fns in order, each queued before the
// next begins, while the area is held, and returns a channel per fn that gets its outcome.
func queued(t *testing.T, s *sqlstore.DB, ctxs []context.Context, fns []func(store.Tx) error) []chan error {
	outs := make([]chan error, len(fns))
	for i, fn := range fns {
		outs[i] = make(chan error, 1)
		ctx := context.Background()
		if ctxs != nil && ctxs[i] != nil {
			ctx = ctxs[i]
		}
		go func() { outs[i] <- s.Update(ctx, store.LockLibrary, fn) }()
		waitUntil(func() bool { return s.Waiting(store.LockLibrary) == i+1 })
	}
	return outs
}

func putControl(c *probity.Control) func(store.Tx) error {
	return func(tx store.Tx) error { return tx.PutControls(context.Background(), []*probity.Control{c}) }
}

func names(t *testing.T, s store.Store) []string {
	t.Helper()
	lib, err := s.Library(context.Background(), storetest.Account)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range lib.Controls {
		out = append(out, c.Name)
	}
	return out
}

// TestGroupIsolatesFailures runs three Updates in one group, the middle one failing in each
// way a fn can fail: the first and last commit, and nothing of the middle one remains.
func TestGroupIsolatesFailures(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		// fail writes and then fails; cancel ends the Update's ctx.
		fail func(tx store.Tx, cancel context.CancelFunc) error
		want func(error) bool
	}{
		{"returns an error", func(tx store.Tx, _ context.CancelFunc) error {
			if err := putControl(storetest.NewControl("middle"))(tx); err != nil {
				return err
			}
			return boom
		}, func(err error) bool { return errors.Is(err, boom) }},
		{"panics", func(tx store.Tx, _ context.CancelFunc) error {
			if err := putControl(storetest.NewControl("middle"))(tx); err != nil {
				return err
			}
			panic("fn gave up")
		}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "fn gave up") }},
		{"hits a constraint (aborts a PostgreSQL transaction)", func(tx store.Tx, _ context.CancelFunc) error {
			if err := putControl(storetest.NewControl("middle"))(tx); err != nil {
				return err
			}
			return putControl(storetest.NewControl("first"))(tx)
		}, func(err error) bool { return probity.ErrorCode(err) == probity.ECONFLICT }},
		{"sees its ctx end", func(tx store.Tx, cancel context.CancelFunc) error {
			if err := putControl(storetest.NewControl("middle"))(tx); err != nil {
				return err
			}
			cancel()
			return nil
		}, func(err error) bool { return errors.Is(err, context.Canceled) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backends(t, func(t *testing.T, s *sqlstore.DB) {
				release := holdLibrary(t, s)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				outs := queued(t, s, []context.Context{nil, ctx, nil}, []func(store.Tx) error{
					putControl(storetest.NewControl("first")),
					func(tx store.Tx) error { return tt.fail(tx, cancel) },
					putControl(storetest.NewControl("last")),
				})
				release()
				if err := <-outs[0]; err != nil {
					t.Errorf("first: %v", err)
				}
				if err := <-outs[1]; !tt.want(err) {
					t.Errorf("middle: got %v", err)
				}
				if err := <-outs[2]; err != nil {
					t.Errorf("last: %v", err)
				}
				if got, want := fmt.Sprint(names(t, s)), "[first last]"; got != want {
					t.Errorf("library holds %s, want %s", got, want)
				}
			})
		})
	}
}

// TestGroupLaterFnSeesEarlierWrites has the second fn of a group read what the first wrote,
// as it would had the first committed before it.
func TestGroupLaterFnSeesEarlierWrites(t *testing.T) {
	backends(t, func(t *testing.T, s *sqlstore.DB) {
		release := holdLibrary(t, s)
		first := storetest.NewControl("first")
		outs := queued(t, s, nil, []func(store.Tx) error{
			putControl(first),
			func(tx store.Tx) error {
				_, err := tx.Control(context.Background(), storetest.Account, first.ID)
				return err
			},
		})
		release()
		for i, out := range outs {
			if err := <-out; err != nil {
				t.Errorf("update %d: %v", i, err)
			}
		}
	})
}

// TestGroupCancelWhileWaiting ends the ctx of an Update still waiting in the queue: it
// returns at once, without waiting for the area, and its fn never runs.
func TestGroupCancelWhileWaiting(t *testing.T) {
	backends(t, func(t *testing.T, s *sqlstore.DB) {
		release := holdLibrary(t, s)
		ctx, cancel := context.WithCancel(context.Background())
		ran := make(chan struct{}, 1)
		outs := queued(t, s, []context.Context{ctx}, []func(store.Tx) error{func(tx store.Tx) error {
			ran <- struct{}{}
			return putControl(storetest.NewControl("cancelled"))(tx)
		}})
		cancel()
		if err := <-outs[0]; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled update returned %v, want context.Canceled", err)
		}
		if n := s.Waiting(store.LockLibrary); n != 0 {
			t.Fatalf("%d updates still wait after the only one left", n)
		}
		release()
		if err := s.Update(context.Background(), store.LockLibrary, putControl(storetest.NewControl("after"))); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ran:
			t.Fatal("the fn of a cancelled update ran")
		default:
		}
		if got, want := fmt.Sprint(names(t, s)), "[after]"; got != want {
			t.Errorf("library holds %s, want %s", got, want)
		}
	})
}

// TestGroupAllCommit queues more writers than one group takes while the area is held,
// then lets them go: every one commits, in groups, and every row is there. Writers of
// other areas and of none run beside them.
func TestGroupAllCommit(t *testing.T) {
	backends(t, func(t *testing.T, s *sqlstore.DB) {
		const writers = 150
		release := holdLibrary(t, s)
		var wg sync.WaitGroup
		errs := make(chan error, writers+2)
		for i := range writers {
			wg.Go(func() {
				errs <- s.Update(context.Background(), store.LockLibrary, putControl(storetest.NewControl(fmt.Sprintf("c%03d", i))))
			})
		}
		waitUntil(func() bool { return s.Waiting(store.LockLibrary) == writers })
		wg.Go(func() {
			errs <- s.Update(context.Background(), store.LockAccounts, func(tx store.Tx) error {
				return tx.PutAccount(context.Background(), &probity.Account{ID: storetest.Account, Status: probity.AccountActive})
			})
		})
		wg.Go(func() {
			errs <- s.Update(context.Background(), store.LockNone, func(tx store.Tx) error {
				return tx.AddNotification(context.Background(), &probity.Notification{ID: probity.NewID(), AccountID: storetest.Account,
					AssessmentID: probity.NewID(), AssessmentName: "a", EventTime: time.Now().UTC()})
			})
		})
		release()
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.CountControls(context.Background(), storetest.Account, probity.ControlTypeCustom)
		if err != nil {
			t.Fatal(err)
		}
		if n != writers {
			t.Fatalf("%d controls after %d writers committed", n, writers)
		}
		if _, err := s.Account(context.Background(), storetest.Account); err != nil {
			t.Fatalf("the accounts write: %v", err)
		}
	})
}

// TestGroupFnEndsGoroutine has a fn of a group call runtime.Goexit (as t.FailNow does),
// which ends the goroutine leading the group: the group commits nothing, every other
// member that can still be told gets an error, and the area is not left locked.
func TestGroupFnEndsGoroutine(t *testing.T) {
	backends(t, func(t *testing.T, s *sqlstore.DB) {
		release := holdLibrary(t, s)
		outs := queued(t, s, nil, []func(store.Tx) error{
			putControl(storetest.NewControl("first")), // its caller leads the group, and its goroutine ends
			func(tx store.Tx) error {
				if err := putControl(storetest.NewControl("middle"))(tx); err != nil {
					return err
				}
				runtime.Goexit()
				return nil
			},
			putControl(storetest.NewControl("last")),
		})
		release()
		for i, out := range outs[1:] {
			if err := <-out; err == nil {
				t.Errorf("update %d returned nil, though its group committed nothing", i+1)
			}
		}
		if err := s.Update(context.Background(), store.LockLibrary, putControl(storetest.NewControl("after"))); err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(names(t, s)), "[after]"; got != want {
			t.Errorf("library holds %s, want %s", got, want)
		}
	})
}

// TestGroupRunsAgainAfterAFailure counts the calls of each fn of a group. With no failure
// every fn runs once, in one transaction. When the middle one fails after writing, the
// group's transaction is rolled back: the first fn runs again, the last runs once, the
// middle one is not run again, and the library holds exactly the writes of the first and
// last calls.
func TestGroupRunsAgainAfterAFailure(t *testing.T) {
	boom := errors.New("boom")
	for _, fails := range []bool{false, true} {
		t.Run(fmt.Sprintf("middle fails=%v", fails), func(t *testing.T) {
			backends(t, func(t *testing.T, s *sqlstore.DB) {
				var calls [3]int
				counted := func(i int, fn func(store.Tx) error) func(store.Tx) error {
					return func(tx store.Tx) error { calls[i]++; return fn(tx) }
				}
				release := holdLibrary(t, s)
				outs := queued(t, s, nil, []func(store.Tx) error{
					counted(0, putControl(storetest.NewControl("first"))),
					counted(1, func(tx store.Tx) error {
						if err := putControl(storetest.NewControl("middle"))(tx); err != nil || !fails {
							return err
						}
						return boom
					}),
					counted(2, putControl(storetest.NewControl("last"))),
				})
				release()
				for i, out := range outs {
					if err := <-out; (i == 1 && fails) != errors.Is(err, boom) || (err != nil && !errors.Is(err, boom)) {
						t.Errorf("update %d: %v", i, err)
					}
				}
				want, lib := [3]int{1, 1, 1}, "[first last middle]"
				if fails {
					want, lib = [3]int{2, 1, 1}, "[first last]"
				}
				if calls != want {
					t.Errorf("calls = %v, want %v", calls, want)
				}
				if got := fmt.Sprint(names(t, s)); got != lib {
					t.Errorf("library holds %s, want %s", got, lib)
				}
			})
		})
	}
}

// TestGroupHeldBackWrites covers the control rows a group holds back to write together
// (deferred.go): every fn of the group sees the writes of those before it through each
// kind of read, a write that fails when the rows are written is laid at the right fn, and
// large or repeated writes keep their order.
func TestGroupHeldBackWrites(t *testing.T) {
	ctx := context.Background()
	describe := func(c *probity.Control, text string) *probity.Control {
		d := *c
		d.Description = text
		return &d
	}
	tests := []struct {
		name string
		// fns make the group; seed is committed first; want is each Update's outcome
		// (nil for success) and lib the names and descriptions in the library after.
		seed []*probity.Control
		fns  func(seed []*probity.Control) []func(store.Tx) error
		want []error
		lib  string
	}{
		{name: "reads by id, of held and not held ids",
			seed: []*probity.Control{storetest.NewControl("a"), storetest.NewControl("b")},
			fns: func(seed []*probity.Control) []func(store.Tx) error {
				a, b := seed[0], seed[1]
				update := func(id, text string) func(store.Tx) error {
					return func(tx store.Tx) error {
						c, err := tx.Control(ctx, storetest.Account, id)
						if err != nil {
							return err
						}
						return tx.PutControls(ctx, []*probity.Control{describe(c, c.Description+"+"+text)})
					}
				}
				return []func(store.Tx) error{update(a.ID, "1"), update(b.ID, "2"), update(a.ID, "3")}
			},
			want: []error{nil, nil, nil},
			lib:  "[a:description of a+1+3 b:description of b+2]"},
		{name: "counts and lists see held rows",
			fns: func([]*probity.Control) []func(store.Tx) error {
				put := func(name string, want int) func(store.Tx) error {
					return func(tx store.Tx) error {
						n, err := tx.CountControls(ctx, storetest.Account, probity.ControlTypeCustom)
						if err != nil {
							return err
						}
						lib, err := tx.Library(ctx, storetest.Account)
						if err != nil {
							return err
						}
						if n != want || len(lib.Controls) != want {
							return fmt.Errorf("%s: counted %d and listed %d controls, want %d", name, n, len(lib.Controls), want)
						}
						return tx.PutControls(ctx, []*probity.Control{storetest.NewControl(name)})
					}
				}
				return []func(store.Tx) error{put("a", 0), put("b", 1), put("c", 2)}
			},
			want: []error{nil, nil, nil},
			lib:  "[a:description of a b:description of b c:description of c]"},
		{name: "a held write that fails at the commit",
			seed: []*probity.Control{storetest.NewControl("taken")},
			fns: func([]*probity.Control) []func(store.Tx) error {
				return []func(store.Tx) error{
					putControl(storetest.NewControl("a")),
					putControl(storetest.NewControl("taken")), // its name is taken: fails when written
					putControl(storetest.NewControl("b")),
				}
			},
			want: []error{nil, probity.Errorf(probity.ECONFLICT, ""), nil},
			lib:  "[a:description of a b:description of b taken:description of taken]"},
		{name: "a held write that fails before a later fn's read",
			seed: []*probity.Control{storetest.NewControl("taken")},
			fns: func(seed []*probity.Control) []func(store.Tx) error {
				return []func(store.Tx) error{
					putControl(storetest.NewControl("taken")), // fails when the next fn counts
					func(tx store.Tx) error {
						if _, err := tx.CountControls(ctx, storetest.Account, probity.ControlTypeCustom); err != nil {
							return err
						}
						return putControl(storetest.NewControl("a"))(tx)
					},
				}
			},
			want: []error{probity.Errorf(probity.ECONFLICT, ""), nil},
			lib:  "[a:description of a taken:description of taken]"},
		{name: "an id another account holds",
			fns: func([]*probity.Control) []func(store.Tx) error {
				other := storetest.NewControl("theirs")
				other.AccountID = "444455556666"
				mine := storetest.NewControl("mine")
				mine.ID = other.ID
				return []func(store.Tx) error{putControl(other), putControl(storetest.NewControl("a")), putControl(mine)}
			},
			want: []error{nil, nil, probity.Errorf(probity.ECONFLICT, "")},
			lib:  "[a:description of a]"},
		{name: "more rows than are held back, and one id twice",
			seed: []*probity.Control{storetest.NewControl("twice")},
			fns: func(seed []*probity.Control) []func(store.Tx) error {
				many := make([]*probity.Control, 300)
				for i := range many {
					many[i] = storetest.NewControl(fmt.Sprintf("m%03d", i))
				}
				return []func(store.Tx) error{
					putControl(describe(seed[0], "first")),
					func(tx store.Tx) error { return tx.PutControls(ctx, many) },
					putControl(describe(seed[0], "second")),
				}
			},
			want: []error{nil, nil, nil},
			lib:  "301 controls, twice:second"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backends(t, func(t *testing.T, s *sqlstore.DB) {
				if len(tt.seed) > 0 {
					if err := s.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutControls(ctx, tt.seed) }); err != nil {
						t.Fatal(err)
					}
				}
				release := holdLibrary(t, s)
				outs := queued(t, s, nil, tt.fns(tt.seed))
				release()
				for i, out := range outs {
					err := <-out
					if want := tt.want[i]; (want == nil) != (err == nil) || probity.ErrorCode(err) != probity.ErrorCode(want) {
						t.Errorf("update %d: %v, want code %q", i, err, probity.ErrorCode(want))
					}
				}
				lib, err := s.Library(ctx, storetest.Account)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, c := range lib.Controls {
					got = append(got, c.Name+":"+c.Description)
				}
				summary := fmt.Sprint(got)
				if len(got) > 10 {
					summary = fmt.Sprintf("%d controls", len(got))
					for _, c := range lib.Controls {
						if c.Name == "twice" {
							summary += ", twice:" + c.Description
						}
					}
				}
				if summary != tt.lib {
					t.Errorf("library holds %s, want %s", summary, tt.lib)
				}
			})
		})
	}
}
