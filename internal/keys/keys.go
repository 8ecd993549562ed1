// Package keys manages the API's access keys: the root key from the environment and the
// keys kept (secret sealed under the master key) in the store, each with an access level
// (auth.Level, stored as the key's role) and the account it acts for. A key resolves to
// an auth.Principal.
package keys

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

// RootName is the name the root key signs as (createdBy, lastUpdatedBy, logs).
const RootName = "root"

// Root is the key pair from the environment. It has the admin level.
type Root struct {
	ID, Secret string
	AccountID  string
}

// Manager creates, lists, deletes and resolves access keys. Its fields must not change
// once it is in use; its methods are safe for concurrent use.
type Manager struct {
	// Store keeps the keys.
	Store store.Store
	// Box seals and opens secrets. With a nil Box, stored keys cannot be created or used
	// and only the root key works.
	Box *secret.Box
	// Root is the root key; nil when none is configured.
	Root *Root
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

var namePattern = regexp.MustCompile(`^[a-zA-Z0-9\s\-_()\[\]]{1,100}$`)

// Create makes a key for name with the access level, acting for account, and returns it
// with its secret, which is not kept anywhere in clear. Its identity is UserARN(account,
// name). It returns an EINVALID error for a bad name, level (field "role") or account,
// and ECONFLICT when the account has a key with the name.
func (m *Manager) Create(ctx context.Context, name string, level auth.Level, account string) (auth.Principal, string, error) {
	return m.CreateWithARN(ctx, name, level, account, "")
}

// CreateWithARN is Create with the identity ARN the key acts as: an IAM role or user of
// the key's own account (arn:aws:iam::ACCOUNT:role/NAME or user/NAME), or UserARN(account,
// name) when arn is empty. It returns an EINVALID error (field "arn") for any other ARN.
func (m *Manager) CreateWithARN(ctx context.Context, name string, level auth.Level, account, arn string) (auth.Principal, string, error) {
	var ck []probity.FieldError
	if arn == "" {
		arn = UserARN(account, name)
	} else if msg := checkARN(arn, account); msg != "" {
		ck = append(ck, probity.FieldError{Name: "arn", Message: msg})
	}
	if !namePattern.MatchString(name) || name == RootName {
		ck = append(ck, probity.FieldError{Name: "name", Message: "must be 1 to 100 letters, digits, spaces and - _ ( ) [ ], and not " + RootName})
	}
	if !level.Valid() {
		ck = append(ck, probity.FieldError{Name: "role", Message: "must be one of viewer, editor, admin"})
	}
	if !probity.IsAccountID(account) {
		ck = append(ck, probity.FieldError{Name: "account", Message: "must be 12 digits"})
	}
	if len(ck) > 0 {
		return auth.Principal{}, "", &probity.Error{Code: probity.EINVALID, Message: "invalid access key", Fields: ck}
	}
	if m.Box == nil {
		return auth.Principal{}, "", errors.New("keys: no master key to seal the secret with")
	}
	id, sec := newID(), newSecret()
	sealed, err := m.Box.Seal([]byte(sec), []byte(id))
	if err != nil {
		return auth.Principal{}, "", err
	}
	k := &store.AccessKey{ID: id, Name: name, Role: string(level), AccountID: account, ARN: arn, SealedSecret: sealed, CreatedAt: m.now()}
	err = m.Store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.CreateAccessKey(ctx, k) })
	if err != nil {
		return auth.Principal{}, "", err
	}
	return auth.Principal{KeyID: id, Name: name, Level: level, AccountID: account, ARN: arn}, sec, nil
}

// UserARN returns the identity of a key made without one: arn:aws:iam::ACCOUNT:user/NAME,
// the name as it is, so that two keys never share an identity by accident.
func UserARN(account, name string) string { return "arn:aws:iam::" + account + ":user/" + name }

// RootARN returns the identity of the root key: the account's root user.
func RootARN(account string) string { return "arn:aws:iam::" + account + ":root" }

// checkARN returns why arn cannot be the identity of a key of account, or "".
func checkARN(arn, account string) string { return probity.IdentityARNProblem(arn, account) }

// List returns the stored keys in name order, without their secrets.
func (m *Manager) List(ctx context.Context) ([]store.AccessKey, error) {
	ks, err := m.Store.AccessKeys(ctx)
	for i := range ks {
		ks[i].SealedSecret = nil
	}
	return ks, err
}

// Delete deletes account's stored key with the name; ENOTFOUND when there is none.
// Requests it signs fail from then on.
func (m *Manager) Delete(ctx context.Context, account, name string) error {
	return m.Store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.DeleteAccessKey(ctx, account, name) })
}

// Lookup returns the holder and secret of the key id. It returns an error wrapping
// auth.ErrUnknownKey when the key does not exist (or is stored but cannot be opened
// without a master key), and another error when the store fails or the sealed secret does
// not open under the master key.
func (m *Manager) Lookup(ctx context.Context, id string) (auth.Principal, string, error) {
	if r := m.Root; r != nil && r.ID != "" && id == r.ID {
		return auth.Principal{KeyID: r.ID, Name: RootName, Level: auth.Admin, AccountID: r.AccountID, ARN: RootARN(r.AccountID)}, r.Secret, nil
	}
	if m.Box == nil || m.Store == nil {
		return auth.Principal{}, "", auth.ErrUnknownKey
	}
	k, err := m.Store.AccessKey(ctx, id)
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return auth.Principal{}, "", fmt.Errorf("%w: %s", auth.ErrUnknownKey, id)
	} else if err != nil {
		return auth.Principal{}, "", err
	}
	sec, err := m.Box.Open(k.SealedSecret, []byte(k.ID))
	if err != nil {
		return auth.Principal{}, "", fmt.Errorf("access key %s: %w", id, err)
	}
	arn := k.ARN
	if arn == "" { // a key made before keys kept their identity
		arn = UserARN(k.AccountID, k.Name)
	}
	return auth.Principal{KeyID: k.ID, Name: k.Name, Level: auth.Level(k.Role), AccountID: k.AccountID, ARN: arn}, string(sec), nil
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// newID returns an access key id: PRB and 17 characters of base32, 20 in all like AWS's.
func newID() string {
	var b [11]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return "PRB" + base32.StdEncoding.EncodeToString(b[:])[:17]
}

// newSecret returns 40 characters of base64 (240 random bits).
func newSecret() string {
	var b [30]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}
