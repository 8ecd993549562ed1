package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
	"github.com/probity-dev/probity/internal/store/sqlstore"
)

// defaultDB is the embedded library used when neither --db nor PROBITY_DB says otherwise.
const defaultDB = "sqlite:probity.db"

// dbSpec is the library a command opens and how.
type dbSpec struct {
	URL string
	// MaxConns bounds the connections open at once (sqlstore.Options).
	MaxConns int
	// err is the usage error of a bad --db-max-conns or PROBITY_DB_MAX_CONNS, reported
	// when the store is opened.
	err error
}

// dbFlag adds --db and --db-max-conns to cmd and returns a function that resolves them:
// each flag, else its environment variable (PROBITY_DB, PROBITY_DB_MAX_CONNS), else the
// default.
func dbFlag(cmd *cobra.Command, env Env) func() dbSpec {
	var url string
	var maxConns int
	cmd.Flags().StringVar(&url, "db", "", "library database: sqlite:PATH or postgres://... (default $PROBITY_DB or "+defaultDB+")")
	cmd.Flags().IntVar(&maxConns, "db-max-conns", 0, fmt.Sprintf("most connections open to the library at once; requests beyond wait in turn (default $PROBITY_DB_MAX_CONNS or %d)", sqlstore.DefaultMaxConns))
	return func() dbSpec {
		spec := dbSpec{URL: url, MaxConns: maxConns}
		switch {
		case url != "":
		case env.Getenv("PROBITY_DB") != "":
			spec.URL = env.Getenv("PROBITY_DB")
		default:
			spec.URL = defaultDB
		}
		switch {
		case cmd.Flags().Changed("db-max-conns"):
			if maxConns < 1 {
				spec.err = exitWith(ExitUsage, fmt.Errorf("--db-max-conns must be at least 1"))
			}
		case env.Getenv("PROBITY_DB_MAX_CONNS") != "":
			n, err := strconv.Atoi(env.Getenv("PROBITY_DB_MAX_CONNS"))
			if err != nil || n < 1 {
				spec.err = exitWith(ExitUsage, fmt.Errorf("PROBITY_DB_MAX_CONNS must be a whole number of at least 1"))
			}
			spec.MaxConns = n
		default:
			spec.MaxConns = sqlstore.DefaultMaxConns
		}
		return spec
	}
}

// operator returns the principal of a command that changes an account's library: the
// operator holds the database, so it acts as the account's root, which change logs record.
func operator(account string) auth.Principal {
	return auth.Principal{Name: keys.RootName, AccountID: account, Level: auth.Admin, ARN: keys.RootARN(account)}
}

// openStore opens the library db names. It returns a usage error for a URL of another
// kind or a bad connection bound.
func openStore(ctx context.Context, db dbSpec) (store.Store, error) {
	if db.err != nil {
		return nil, db.err
	}
	o := sqlstore.Options{MaxConns: db.MaxConns}
	switch url := db.URL; {
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			return nil, exitWith(ExitUsage, fmt.Errorf("--db sqlite: needs a file path, as in sqlite:probity.db"))
		}
		return sqlite.OpenWith(ctx, path, o)
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return postgres.OpenWith(ctx, url, o)
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
