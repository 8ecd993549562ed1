package postgres_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	var mu sync.Mutex
	dsns := map[*testing.T]string{}
	storetest.Run(t, func(t *testing.T) store.Store {
		mu.Lock()
		dsn, ok := dsns[t]
		mu.Unlock()
		if !ok {
			dsn = pgtest.DSN(t) // may skip the test: hold no lock here
			mu.Lock()
			dsns[t] = dsn
			mu.Unlock()
		}
		s, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestOpenBadURLHidesPassword(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://u:s3cret@%zz/db")
	if err == nil {
		t.Fatal("Open accepted a malformed URL")
	}
	if got := err.Error(); strings.Contains(got, "s3cret") {
		t.Fatalf("error %q reveals the password", got)
	}
}

// TestAreasDoNotWaitForEachOther holds a library write open and commits an accounts write
// beside it: areas are locked apart. A second library writer, of another handle as if of
// another process, waits until the first ends.
func TestAreasDoNotWaitForEachOther(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	watch, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()

	holding, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding

	err = s.Update(ctx, store.LockAccounts, func(tx store.Tx) error {
		return tx.PutAccount(ctx, &probity.Account{ID: "111122223333", Status: probity.AccountActive})
	})
	if err != nil {
		t.Fatalf("accounts write beside an open library write: %v", err)
	}

	other, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	second := make(chan error, 1)
	entered := make(chan struct{})
	go func() {
		second <- other.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
			close(entered)
			return nil
		})
	}()
	// The second library writer must be queued on the lock, not running: PostgreSQL shows
	// it waiting for an advisory lock in this database (the server may hold others').
	for {
		var n int
		err := watch.QueryRowContext(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond) // polling a condition; the test's deadline bounds it
	}
	select {
	case <-entered:
		t.Fatal("a second library writer ran while the first held the lock")
	default:
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
}
