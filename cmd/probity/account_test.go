package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

// TestCatalogCommandsActForOneAccount: plan, apply, validate --db and export work on the
// library of --account-id (or PROBITY_ACCOUNT_ID), and no other.
func TestCatalogCommandsActForOneAccount(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			db := "sqlite:" + filepath.Join(t.TempDir(), "lib.db")
			if backend == "postgres" {
				db = pgtest.DSN(t)
			}
			env := map[string]string{"PROBITY_DB": db}
			run := func(want int, env map[string]string, args ...string) string {
				t.Helper()
				code, out, errOut := cli(t, env, args...)
				if code != want {
					t.Fatalf("probity %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
				}
				return out + errOut
			}
			run(0, env, "apply", "--account-id", "222222222222", "../../examples")
			if out := run(0, env, "export", t.TempDir()); !strings.Contains(out, "Exported 0 file(s)") {
				t.Fatalf("the default account's export holds account 222222222222's library:\n%s", out)
			}
			if out := run(0, map[string]string{"PROBITY_DB": db, "PROBITY_ACCOUNT_ID": "222222222222"}, "export", t.TempDir()); !strings.Contains(out, "Exported 2 file(s)") {
				t.Fatalf("PROBITY_ACCOUNT_ID export:\n%s", out)
			}
			if out := run(0, env, "plan", "--account-id", "222222222222", "../../examples"); !strings.Contains(out, "0 to create, 0 to update, 0 to delete, 2 unchanged") {
				t.Fatalf("plan for the account that applied:\n%s", out)
			}
			if out := run(0, env, "plan", "../../examples"); !strings.Contains(out, "2 to create") {
				t.Fatalf("plan for another account:\n%s", out)
			}
			if out := run(2, env, "apply", "--account-id", "12345", "../../examples"); !strings.Contains(out, "--account-id must be 12 digits") {
				t.Fatalf("bad account:\n%s", out)
			}
		})
	}
}

// TestServeCatalogAccount: --catalog-account binds the catalog source to that account's
// library; the root key's account does not see what the source applied.
func TestServeCatalogAccount(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "controls"), 0o755); err != nil {
		t.Fatal(err)
	}
	control := "name: Bound to an account\ndatasources:\n  - sourceName: m\n    sourceType: MANUAL\n"
	if err := os.WriteFile(filepath.Join(dir, "controls", "c.yaml"), []byte(control), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "--catalog", dir, "--catalog-account", "333333333333")
	st, err := sqlite.Open(ctx, strings.TrimPrefix(s.DB, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for {
		lib, err := st.Library(ctx, "333333333333")
		if err != nil {
			t.Fatal(err)
		}
		custom := 0 // the library also holds the standard content every account sees
		for _, c := range lib.Controls {
			if c.Type == probity.ControlTypeCustom {
				custom++
			}
		}
		if custom == 1 {
			break
		}
		time.Sleep(20 * time.Millisecond) // polling a condition; the test's deadline bounds it
	}
	c := am.New(am.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: testRootID, SecretAccessKey: testRootSecret}, nil
		})})
	out, err := c.ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeCustom})
	if err != nil || len(out.ControlMetadataList) != 0 {
		t.Fatalf("the root key's account lists %+v, %v; want none of account 333333333333's controls", out, err)
	}
	notes, err := c.ListNotifications(ctx, &am.ListNotificationsInput{})
	if err != nil || len(notes.Notifications) != 0 {
		t.Fatalf("the root key's account sees the source's notifications: %+v, %v", notes, err)
	}
}
