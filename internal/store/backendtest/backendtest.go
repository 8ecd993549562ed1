// Package backendtest gives tests that touch the database a fresh store of each backend:
// SQLite in a file of the test's temporary directory, PostgreSQL in a new database on the
// test server (pgtest.DSN, which skips without a server and fails in CI).
package backendtest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

// Names are the backends, in the order Run runs them.
var Names = []string{"sqlite", "postgres"}

// Open returns a new, empty store of the named backend, one of Names, closed when the
// test ends. It fails the test for another name or a store that cannot be opened.
func Open(t testing.TB, backend string) store.Store {
	t.Helper()
	var st store.Store
	var err error
	switch backend {
	case "sqlite":
		st, err = sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "probity.db"))
	case "postgres":
		st, err = postgres.Open(context.Background(), pgtest.DSN(t))
	default:
		t.Fatalf("backendtest: no backend %q", backend)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Run runs test once per backend, as a subtest named after it, with a store from Open.
func Run(t *testing.T, test func(t *testing.T, st store.Store)) {
	for _, name := range Names {
		t.Run(name, func(t *testing.T) { test(t, Open(t, name)) })
	}
}
