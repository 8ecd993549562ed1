package keys_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/sigv4"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

func TestAllows(t *testing.T) {
	tests := []struct {
		role, needs string
		want        bool
	}{
		{keys.RoleViewer, keys.RoleViewer, true},
		{keys.RoleViewer, keys.RoleEditor, false},
		{keys.RoleEditor, keys.RoleViewer, true},
		{keys.RoleEditor, keys.RoleAdmin, false},
		{keys.RoleAdmin, keys.RoleAdmin, true},
		{"", keys.RoleViewer, false},
		{"owner", keys.RoleViewer, false},
	}
	for _, tt := range tests {
		if got := keys.Allows(tt.role, tt.needs); got != tt.want {
			t.Errorf("Allows(%q, %q) = %v, want %v", tt.role, tt.needs, got, tt.want)
		}
	}
}

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
	p, sec, err := m.Create(ctx, "ci", keys.RoleEditor, "111122223333")
	if err != nil {
		t.Fatal(err)
	}
	got, gotSec, err := m.Lookup(ctx, p.KeyID)
	if err != nil || got != p || gotSec != sec {
		t.Fatalf("Lookup = %+v %q %v, want %+v %q", got, gotSec, err, p, sec)
	}
	if root, _, err := m.Lookup(ctx, "ROOT"); err != nil || root.Role != keys.RoleAdmin || root.Name != keys.RootName {
		t.Fatalf("root = %+v, %v", root, err)
	}
	if _, _, err := m.Lookup(ctx, "PRBNOSUCHKEY"); !errors.Is(err, sigv4.ErrUnknownKey) {
		t.Fatalf("unknown key: %v, want ErrUnknownKey", err)
	}
	// Under another master key the secret does not open: an error, but not "unknown".
	other := &keys.Manager{Store: st, Box: box(2)}
	if _, _, err := other.Lookup(ctx, p.KeyID); err == nil || errors.Is(err, sigv4.ErrUnknownKey) {
		t.Fatalf("wrong master key: %v", err)
	}
	// Without a master key stored keys are unknown and cannot be made.
	none := &keys.Manager{Store: st}
	if _, _, err := none.Lookup(ctx, p.KeyID); !errors.Is(err, sigv4.ErrUnknownKey) {
		t.Fatalf("no master key: %v", err)
	}
	if _, _, err := none.Create(ctx, "x", keys.RoleViewer, "111122223333"); err == nil {
		t.Fatal("Create without a master key succeeded")
	}
	_, _, err = m.Create(ctx, "ci", keys.RoleViewer, "111122223333")
	if probity.ErrorCode(err) != probity.ECONFLICT {
		t.Fatalf("duplicate name: %v", err)
	}
}
