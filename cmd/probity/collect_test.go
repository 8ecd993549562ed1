package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func TestCollectUsage(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "probity.db")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"collect"}, ExitUsage, "--assessment is required"},
		{[]string{"collect", "--assessment", "a1", "--account", "12"}, ExitUsage, "--account must be 12 digits"},
		{[]string{"collect", "--assessment", "a1", "--continuous-interval", "0s"}, ExitUsage, "--continuous-interval must be positive"},
		{[]string{"collect", "--assessment", "a1", "--collect-role", "no spaces"}, ExitUsage, "--collect-role/--collect-external-id: role name"},
		{[]string{"collect", "--assessment", "a1", "--collect-external-id", "x"}, ExitUsage, "--collect-role/--collect-external-id: external id"},
		{[]string{"collect", "--assessment", "a1", "--collect-regions", "us-east-1,US_East"}, ExitUsage, `--collect-regions: AWS region "US_East"`},
		// This build has no assessments: any id names nothing to collect.
		{[]string{"collect", "--assessment", "a1", "--account", "111111111111"}, ExitInvalid, "assessment a1 has no automated data source to collect"},
	} {
		var out, errb bytes.Buffer
		code := Run(context.Background(), append(c.args, "--db", db), testEnv(nil, &out, &errb))
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v = %d, %q; want %d and %q", c.args, code, errb.String(), c.code, c.want)
		}
	}
}

// serve runs the collection jobs on the library's database unless --jobs=false, and
// stops them on shutdown.
func TestServeJobs(t *testing.T) {
	for _, c := range []struct {
		args  []string
		river bool
	}{{nil, true}, {[]string{"--jobs=false"}, false}} {
		s := startServe(t, c.args...)
		s.Stop(t)
		db, err := sql.Open("sqlite", strings.TrimPrefix(s.DB, "sqlite:"))
		if err != nil {
			t.Fatal(err)
		}
		var n int
		err = db.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'river_job'").Scan(&n)
		db.Close()
		if err != nil || (n == 1) != c.river {
			t.Errorf("serve %v: river_job tables %d (%v), want present %v", c.args, n, err, c.river)
		}
	}
	if code, _, errs := startServeExit(t, "--jobs-workers", "0"); code != ExitUsage || !strings.Contains(errs, "--jobs-workers") {
		t.Errorf("serve --jobs-workers 0 = %d, %q; want a usage error", code, errs)
	}
}

// startServeExit runs serve with args on a new library, expecting it to exit at once.
func startServeExit(t *testing.T, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	db := "sqlite:" + filepath.Join(t.TempDir(), "probity.db")
	code := Run(context.Background(), append([]string{"serve", "--listen", "127.0.0.1:0", "--db", db}, args...), testEnv(nil, &out, &errb))
	return code, out.String(), errb.String()
}
