package keys_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

func TestCreateAndLookup(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "probity.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	box := func(b byte) *secret.Box {
		k := make([]byte, secret.KeySize)
		k[0] = b
		bx, err := secret.NewBox(k)
		if err != nil {
			t.Fatal(err)
		}
		return bx
	}
	m := &keys.Manager{Store: st, Box: box(1), Root: &keys.Root{ID: "ROOT", Secret: "s", AccountID: "000000000000"}}
	p, sec, err := m.Create(ctx, "ci", auth.Editor, "111122223333")
	if err != nil {
		t.Fatal(err)
	}
	got, gotSec, err := m.Lookup(ctx, p.KeyID)
	if err != nil || got != p || gotSec != sec {
		t.Fatalf("Lookup = %+v %q %v, want %+v %q", got, gotSec, err, p, sec)
	}
	if root, _, err := m.Lookup(ctx, "ROOT"); err != nil || root.Level != auth.Admin || root.Name != keys.RootName {
		t.Fatalf("root = %+v, %v", root, err)
	}
	if _, _, err := m.Lookup(ctx, "PRBNOSUCHKEY"); !errors.Is(err, auth.ErrUnknownKey) {
		t.Fatalf("unknown key: %v, want ErrUnknownKey", err)
	}
	// Under another master key the secret does not open: an error, but not "unknown".
	other := &keys.Manager{Store: st, Box: box(2)}
	if _, _, err := other.Lookup(ctx, p.KeyID); err == nil || errors.Is(err, auth.ErrUnknownKey) {
		t.Fatalf("wrong master key: %v", err)
	}
	// Without a master key stored keys are unknown and cannot be made.
	none := &keys.Manager{Store: st}
	if _, _, err := none.Lookup(ctx, p.KeyID); !errors.Is(err, auth.ErrUnknownKey) {
		t.Fatalf("no master key: %v", err)
	}
	if _, _, err := none.Create(ctx, "x", auth.Viewer, "111122223333"); err == nil {
		t.Fatal("Create without a master key succeeded")
	}
	_, _, err = m.Create(ctx, "ci", auth.Viewer, "111122223333")
	if probity.ErrorCode(err) != probity.ECONFLICT {
		t.Fatalf("duplicate name: %v", err)
	}
	// Another account may use the name: names are unique per account and reveal nothing
	// across accounts.
	if _, _, err := m.Create(ctx, "ci", auth.Viewer, "444455556666"); err != nil {
		t.Fatalf("the same name in another account: %v", err)
	}
}

func TestCreateRejects(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "probity.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bx, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	m := &keys.Manager{Store: st, Box: bx}
	tests := []struct {
		name    string
		level   auth.Level
		account string
		field   string
	}{
		{"ci", "", "111122223333", "role"},
		{"ci", "owner", "111122223333", "role"},
		{"ci", "Admin", "111122223333", "role"},
		{keys.RootName, auth.Admin, "111122223333", "name"},
		{"", auth.Viewer, "111122223333", "name"},
		{"ci", auth.Viewer, "1111", "account"},
	}
	for _, tt := range tests {
		_, _, err := m.Create(ctx, tt.name, tt.level, tt.account)
		fields := probity.ErrorFields(err)
		if probity.ErrorCode(err) != probity.EINVALID || len(fields) != 1 || fields[0].Name != tt.field {
			t.Errorf("Create(%q, %q, %q) = %v (fields %+v), want EINVALID on %s", tt.name, tt.level, tt.account, err, fields, tt.field)
		}
	}
}

// TestIdentityARN: a key acts as the ARN it was made with, which must be a role or user
// of its own account, or as user/NAME without one; the root key as the account's root.
func TestIdentityARN(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "probity.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	k := make([]byte, secret.KeySize)
	box, err := secret.NewBox(k)
	if err != nil {
		t.Fatal(err)
	}
	m := &keys.Manager{Store: st, Box: box, Root: &keys.Root{ID: "ROOT", Secret: "s", AccountID: "000000000000"}}
	tests := []struct {
		name, arn, want string // want "" means refused
	}{
		{"plain", "", "arn:aws:iam::111122223333:user/plain"},
		{"with space", "", "arn:aws:iam::111122223333:user/with space"},
		{"role", "arn:aws:iam::111122223333:role/Auditor", "arn:aws:iam::111122223333:role/Auditor"},
		{"user", "arn:aws:iam::111122223333:user/team/alice", "arn:aws:iam::111122223333:user/team/alice"},
		{"other account", "arn:aws:iam::444455556666:role/Auditor", ""},
		{"not iam", "arn:aws:s3:::111122223333-bucket", ""},
		{"group", "arn:aws:iam::111122223333:group/Auditors", ""},
		{"no name", "arn:aws:iam::111122223333:role/", ""},
		{"bad char", "arn:aws:iam::111122223333:role/a b", ""},
	}
	for _, tt := range tests {
		p, _, err := m.CreateWithARN(ctx, tt.name, auth.Editor, "111122223333", tt.arn)
		if tt.want == "" {
			if probity.ErrorCode(err) != probity.EINVALID || len(probity.ErrorFields(err)) != 1 || probity.ErrorFields(err)[0].Name != "arn" {
				t.Errorf("%s: CreateWithARN(%q) = %v, want an EINVALID error on arn", tt.name, tt.arn, err)
			}
			continue
		}
		if err != nil || p.ARN != tt.want {
			t.Errorf("%s: ARN = %q, %v; want %q", tt.name, p.ARN, err, tt.want)
			continue
		}
		if got, _, err := m.Lookup(ctx, p.KeyID); err != nil || got.ARN != tt.want {
			t.Errorf("%s: Lookup ARN = %q, %v; want %q", tt.name, got.ARN, err, tt.want)
		}
	}
	if root, _, _ := m.Lookup(ctx, "ROOT"); root.ARN != "arn:aws:iam::000000000000:root" {
		t.Errorf("root ARN = %q", root.ARN)
	}
}
