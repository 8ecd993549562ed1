package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

// defaultDB is the embedded library used when neither --db nor PROBITY_DB says otherwise.
const defaultDB = "sqlite:probity.db"

// dbFlag adds --db to cmd and returns a function that resolves it: the flag, else
// PROBITY_DB, else the default.
func dbFlag(cmd *cobra.Command, env Env) func() string {
	var url string
	cmd.Flags().StringVar(&url, "db", "", "library database: sqlite:PATH or postgres://... (default $PROBITY_DB or "+defaultDB+")")
	return func() string {
		switch {
		case url != "":
			return url
		case env.Getenv("PROBITY_DB") != "":
			return env.Getenv("PROBITY_DB")
		default:
			return defaultDB
		}
	}
}

// openStore opens the library named by url. It returns a usage error for a URL of
// another kind.
func openStore(ctx context.Context, url string) (store.Store, error) {
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			return nil, exitWith(ExitUsage, fmt.Errorf("--db sqlite: needs a file path, as in sqlite:probity.db"))
		}
		return sqlite.Open(ctx, path)
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return postgres.Open(ctx, url)
	default:
		return nil, exitWith(ExitUsage, fmt.Errorf("--db must be sqlite:PATH or a postgres:// URL"))
	}
}

// accountFlag registers --account-id on cmd and returns a function that gives the account
// whose library the command works on: the flag, else PROBITY_ACCOUNT_ID, else the default
// account. It returns a usage error for an account that is not 12 digits.
func accountFlag(cmd *cobra.Command, env Env) func() (string, error) {
	var flag string
	cmd.Flags().StringVar(&flag, "account-id", "", "account whose library this is (default $PROBITY_ACCOUNT_ID or 000000000000)")
	return func() (string, error) {
		a := accountID(flag, env)
		if !probity.IsAccountID(a) {
			return "", exitWith(ExitUsage, fmt.Errorf("--account-id must be 12 digits"))
		}
		return a, nil
	}
}
