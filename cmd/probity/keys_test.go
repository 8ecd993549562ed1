package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeysCommands(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "probity.db")
	vars := map[string]string{}
	cli := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb strings.Builder
		code := Run(t.Context(), append(args, "--db", db), testEnv(vars, &out, &errb))
		return code, out.String(), errb.String()
	}

	code, out, errs := cli("keys", "create", "--name", "ci", "--role", "editor")
	if code != ExitOK {
		t.Fatalf("create = %d: %s", code, errs)
	}
	if !strings.Contains(out, "secret access key: ") || !strings.Contains(errs, "shown only now") {
		t.Fatalf("create output:\n%s\n%s", out, errs)
	}
	secretLine := out[strings.Index(out, "secret access key: ")+len("secret access key: "):]
	secret := strings.TrimSpace(secretLine)

	// With no PROBITY_MASTER_KEY, the key file is made beside the database, private.
	fi, err := os.Stat(filepath.Join(dir, "probity.db.key"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %o, want 600", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "probity.db"))
	if strings.Contains(string(raw), secret) {
		t.Fatal("the database holds the secret in clear")
	}

	code, out, _ = cli("keys", "create", "--json", "--name", "auditor", "--role", "viewer", "--account-id", "111122223333")
	var k map[string]string
	if code != ExitOK || json.Unmarshal([]byte(out), &k) != nil || k["accountId"] != "111122223333" || len(k["secretAccessKey"]) != 40 {
		t.Fatalf("create --json = %d %q", code, out)
	}
	if k["arn"] != "arn:aws:iam::111122223333:user/auditor" {
		t.Fatalf("a key made without --arn acts as %q, want its user ARN", k["arn"])
	}
	code, out, _ = cli("keys", "create", "--json", "--name", "reviewer", "--role", "editor", "--account-id", "111122223333",
		"--arn", "arn:aws:iam::111122223333:role/Reviewer")
	if code != ExitOK || json.Unmarshal([]byte(out), &k) != nil || k["arn"] != "arn:aws:iam::111122223333:role/Reviewer" {
		t.Fatalf("create --arn = %d %q", code, out)
	}

	tests := []struct {
		name string
		args []string
		want int
	}{
		{"duplicate name", []string{"keys", "create", "--name", "ci", "--role", "viewer"}, ExitInvalid},
		{"bad role", []string{"keys", "create", "--name", "x", "--role", "owner"}, ExitInvalid},
		{"bad name", []string{"keys", "create", "--name", "a/b", "--role", "viewer"}, ExitInvalid},
		{"reserved name", []string{"keys", "create", "--name", "root", "--role", "viewer"}, ExitInvalid},
		{"bad account", []string{"keys", "create", "--name", "x", "--role", "viewer", "--account-id", "12"}, ExitInvalid},
		{"arn of another account", []string{"keys", "create", "--name", "x", "--role", "viewer", "--account-id", "111122223333", "--arn", "arn:aws:iam::444455556666:role/R"}, ExitInvalid},
		{"arn not a role or user", []string{"keys", "create", "--name", "x", "--role", "viewer", "--arn", "arn:aws:s3:::bucket"}, ExitInvalid},
		{"delete missing", []string{"keys", "delete", "nobody"}, ExitInvalid},
		{"delete another account's key", []string{"keys", "delete", "auditor"}, ExitInvalid},
		{"delete without name", []string{"keys", "delete"}, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, errs := cli(tt.args...); code != tt.want {
				t.Fatalf("exit %d, want %d: %s", code, tt.want, errs)
			}
		})
	}

	code, out, _ = cli("keys", "list")
	if code != ExitOK || !strings.Contains(out, "auditor") || !strings.Contains(out, "ci") || strings.Contains(out, secret) || strings.Contains(out, k["secretAccessKey"]) {
		t.Fatalf("list = %d:\n%s", code, out)
	}
	if code, _, _ := cli("keys", "delete", "ci"); code != ExitOK {
		t.Fatalf("delete = %d", code)
	}
	code, out, _ = cli("keys", "list", "--json")
	var rows []map[string]any
	if code != ExitOK || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 2 || rows[0]["name"] != "auditor" || rows[1]["arn"] != "arn:aws:iam::111122223333:role/Reviewer" {
		t.Fatalf("list --json after delete = %d %s", code, out)
	}
}
