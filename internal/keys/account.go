package keys

import (
	"context"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store"
)

// Managing an account's own keys, as an admin key of the account does in the console:
// the keys of other accounts are invisible (a name of another account's key is
// ENOTFOUND), and only admin keys may list, create or delete.

// mayManage returns EUNAUTHORIZED unless p is an admin key.
func mayManage(p auth.Principal) error {
	if !p.Level.Allows(auth.Admin) {
		return probity.Errorf(probity.EUNAUTHORIZED, "Your access key %s has the %s role; managing access keys needs the admin role.", p.Name, p.Level)
	}
	return nil
}

// AccountKeys returns the stored keys of the caller's account in name order, without
// their secrets. It returns EUNAUTHORIZED unless the caller is an admin key.
func (m *Manager) AccountKeys(ctx context.Context, p auth.Principal) ([]store.AccessKey, error) {
	if err := mayManage(p); err != nil {
		return nil, err
	}
	all, err := m.List(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, k := range all {
		if k.AccountID == p.AccountID {
			out = append(out, k)
		}
	}
	return out, nil
}

// CreateForAccount makes a key of the caller's account with the name, level and identity
// ARN (empty for UserARN) and returns it with its secret, which is shown once and kept
// nowhere in clear. It returns EUNAUTHORIZED unless the caller is an admin key, and
// fails as CreateWithARN does.
func (m *Manager) CreateForAccount(ctx context.Context, p auth.Principal, name string, level auth.Level, arn string) (auth.Principal, string, error) {
	if err := mayManage(p); err != nil {
		return auth.Principal{}, "", err
	}
	return m.CreateWithARN(ctx, name, level, p.AccountID, arn)
}

// DeleteForAccount deletes the key of the caller's account with the name; the sessions
// and requests it signs end. It returns EUNAUTHORIZED unless the caller is an admin key,
// EINVALID for the caller's own key (another admin key deletes it), and ENOTFOUND for a
// name that is no key of the caller's account.
func (m *Manager) DeleteForAccount(ctx context.Context, p auth.Principal, name string) error {
	if err := mayManage(p); err != nil {
		return err
	}
	if name == p.Name {
		return probity.Errorf(probity.EINVALID, "The access key %s is the one you are using; another admin key may delete it.", name)
	}
	err := m.Delete(ctx, p.AccountID, name)
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return probity.NotFound("access key", name)
	}
	return err
}
