// Package benchdb gives the benchmarks an empty library on either backend: a SQLite file in
// a new directory, or a new database on the PostgreSQL server PROBITY_TEST_POSTGRES names.
package benchdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

// EnvVar names the base URL of the PostgreSQL server; its user must be allowed to create
// databases.
const EnvVar = "PROBITY_TEST_POSTGRES"

// Fresh creates an empty library on backend, "sqlite" or "postgres", and returns its URL
// (sqlite:<path>, or a PostgreSQL URL) and a function that removes it. A SQLite library is
// probity.db in a new directory under dir (the system's temporary directory when dir is "");
// a PostgreSQL library is a new database named <prefix>_<12 random hex digits> on the server
// EnvVar names, whose user is the one that drops it. Fresh fails when backend is neither,
// when EnvVar is unset or unparsable for postgres, or when the directory or the database
// cannot be created.
func Fresh(ctx context.Context, backend, dir, prefix string) (string, func(), error) {
	switch backend {
	case "sqlite":
		tmp, err := os.MkdirTemp(dir, prefix+"-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(tmp, "probity.db"), func() { os.RemoveAll(tmp) }, nil
	case "postgres":
		base := os.Getenv(EnvVar)
		if base == "" {
			return "", nil, errors.New("-db postgres: set " + EnvVar + " to a server where this user may create databases")
		}
		u, err := url.Parse(base)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %w", EnvVar, err)
		}
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			return "", nil, err
		}
		defer admin.Close(ctx)
		var b [6]byte
		_, _ = rand.Read(b[:])
		name := prefix + "_" + hex.EncodeToString(b[:])
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			return "", nil, err
		}
		u.Path = "/" + name
		// The drop connects again: holding the admin connection for the whole run would
		// add an idle connection to what the benchmark measures.
		return u.String(), func() {
			ctx := context.Background()
			if c, err := pgx.Connect(ctx, base); err == nil {
				_, _ = c.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
				c.Close(ctx)
			}
		}, nil
	}
	return "", nil, fmt.Errorf("-db: %q is not sqlite or postgres", backend)
}

// Open opens the library at dbURL, as Fresh returns it: SQLite for sqlite:<path>, PostgreSQL
// for any other URL. It returns the store's error when the library cannot be opened.
func Open(ctx context.Context, dbURL string) (store.Store, error) {
	if p, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		return sqlite.Open(ctx, p)
	}
	return postgres.Open(ctx, dbURL)
}

// Backends returns the backends a benchmark runs on: the one named (a -db flag), else
// sqlite, and postgres too when EnvVar is set.
func Backends(named string) []string {
	if named != "" {
		return []string{named}
	}
	if os.Getenv(EnvVar) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}
