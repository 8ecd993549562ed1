package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/sqlite"
	"github.com/probity-dev/probity/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, opener())
}

// opener returns an Opener whose handles, within one test, share one database file.
func opener() storetest.Opener {
	var mu sync.Mutex
	paths := map[*testing.T]string{}
	return func(t *testing.T) store.Store {
		mu.Lock()
		path, ok := paths[t]
		if !ok {
			path = filepath.Join(t.TempDir(), "probity.db")
			paths[t] = path
		}
		mu.Unlock()
		s, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

// TestDSN opens pools with the DSN, with and without an extra pragma, and reads back the
// settings every connection must have.
func TestDSN(t *testing.T) {
	for _, tt := range []struct {
		name    string
		pragmas []string
		auto    int // wal_autocheckpoint
	}{
		{"library settings", nil, 1000},
		{"extra pragma", []string{"wal_autocheckpoint(0)"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "probity.db")
			db, err := sql.Open("sqlite", sqlite.DSN(path, tt.pragmas...))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var journal string
			var busy, fk, synchronous, auto int
			for _, q := range []struct {
				pragma string
				into   any
			}{{"journal_mode", &journal}, {"busy_timeout", &busy}, {"foreign_keys", &fk}, {"synchronous", &synchronous}, {"wal_autocheckpoint", &auto}} {
				if err := db.QueryRow("PRAGMA " + q.pragma).Scan(q.into); err != nil {
					t.Fatalf("PRAGMA %s: %v", q.pragma, err)
				}
			}
			if journal != "wal" || busy != 30000 || fk != 1 || synchronous != 1 || auto != tt.auto {
				t.Errorf("journal %s, busy_timeout %d, foreign_keys %d, synchronous %d, wal_autocheckpoint %d; want wal, 30000, 1, 1 (NORMAL), %d",
					journal, busy, fk, synchronous, auto, tt.auto)
			}
			// IMMEDIATE: a transaction holds the write lock from its start, so a second
			// pool's writer cannot begin until it ends.
			other, err := sql.Open("sqlite", sqlite.DSN(path, tt.pragmas...))
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			other.SetMaxOpenConns(1)
			// Connected (its pragmas run) before the lock is taken, then told to fail at
			// once rather than in 30 s.
			if _, err := other.Exec("PRAGMA busy_timeout = 0"); err != nil {
				t.Fatal(err)
			}
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := other.Begin(); err == nil || !strings.Contains(err.Error(), "locked") {
				t.Errorf("second writer began beside an open transaction: %v, want database is locked", err)
			}
		})
	}
}
