package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/keys"
)

func newKeysCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage the access keys that sign API requests",
	}
	cmd.AddCommand(newKeysCreateCmd(env), newKeysListCmd(env), newKeysDeleteCmd(env), newSigningKeysCmd(env))
	return cmd
}

// keyManager opens the library and returns a key manager on it, with the store to close.
func keyManager(cmd *cobra.Command, env Env, db dbSpec, keyFile string, needBox bool) (*keys.Manager, func(), error) {
	st, err := openStore(cmd.Context(), db)
	if err != nil {
		return nil, nil, asInternal(err)
	}
	var m keys.Manager
	m.Store = st
	if needBox {
		box, err := openBox(env, db.URL, keyFile)
		if err == nil && box == nil {
			err = fmt.Errorf("no master key to seal the secret with: set PROBITY_MASTER_KEY or --master-key-file")
		}
		if err != nil {
			st.Close()
			return nil, nil, exitWith(ExitUsage, err)
		}
		m.Box = box
	}
	return &m, func() { st.Close() }, nil
}

// keyError maps a key operation's error to an exit code.
func keyError(err error) error {
	switch probity.ErrorCode(err) {
	case probity.EINVALID, probity.ECONFLICT, probity.ENOTFOUND:
		return exitWith(ExitInvalid, err)
	}
	return exitWith(ExitUsage, err)
}

func newKeysCreateCmd(env Env) *cobra.Command {
	var name, role, account, arn, keyFile string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create --name NAME --role admin|editor|viewer [--arn arn:aws:iam::ACCOUNT:role/NAME]",
		Short: "Create an access key and print its secret, which is shown only this once",
		Args:  cobra.NoArgs,
	}
	db := dbFlag(cmd, env)
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "key name, unique in its account, recorded as createdBy and lastUpdatedBy")
	f.StringVar(&role, "role", "", "viewer (reads), editor (also changes the libraries) or admin (also settings, shares)")
	f.StringVar(&account, "account-id", "", "account the key acts for (default $PROBITY_ACCOUNT_ID or 000000000000)")
	f.StringVar(&arn, "arn", "", "IAM role or user of the key's account that the key acts as in assessment roles (default arn:aws:iam::ACCOUNT:user/NAME)")
	f.BoolVar(&asJSON, "json", false, "print the key as JSON")
	masterKeyFlag(cmd, &keyFile)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		m, done, err := keyManager(cmd, env, db(), keyFile, true)
		if err != nil {
			return err
		}
		defer done()
		p, sec, err := m.CreateWithARN(cmd.Context(), name, auth.Level(role), accountID(account, env), arn)
		if err != nil {
			return keyError(err)
		}
		if asJSON {
			return json.NewEncoder(env.Stdout).Encode(map[string]string{
				"name": p.Name, "role": string(p.Level), "accountId": p.AccountID, "arn": p.ARN,
				"accessKeyId": p.KeyID, "secretAccessKey": sec,
			})
		}
		fmt.Fprintf(env.Stdout, "name:              %s\nrole:              %s\naccount:           %s\narn:               %s\naccess key id:     %s\nsecret access key: %s\n",
			p.Name, p.Level, p.AccountID, p.ARN, p.KeyID, sec)
		fmt.Fprintln(env.Stderr, "probity: the secret access key is shown only now; store it safely")
		return nil
	}
	return cmd
}

func newKeysListCmd(env Env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List access keys (never their secrets)",
		Args:  cobra.NoArgs,
	}
	db := dbFlag(cmd, env)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the keys as JSON")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		m, done, err := keyManager(cmd, env, db(), "", false)
		if err != nil {
			return err
		}
		defer done()
		ks, err := m.List(cmd.Context())
		if err != nil {
			return keyError(err)
		}
		if asJSON {
			type row struct {
				Name        string    `json:"name"`
				Role        string    `json:"role"`
				AccountID   string    `json:"accountId"`
				ARN         string    `json:"arn"`
				AccessKeyID string    `json:"accessKeyId"`
				CreatedAt   time.Time `json:"createdAt"`
			}
			rows := make([]row, 0, len(ks))
			for _, k := range ks {
				arn := k.ARN
				if arn == "" {
					arn = keys.UserARN(k.AccountID, k.Name)
				}
				rows = append(rows, row{k.Name, k.Role, k.AccountID, arn, k.ID, k.CreatedAt})
			}
			return json.NewEncoder(env.Stdout).Encode(rows)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tACCOUNT\tACCESS KEY ID\tCREATED")
		for _, k := range ks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Name, k.Role, k.AccountID, k.ID, k.CreatedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	}
	return cmd
}

func newKeysDeleteCmd(env Env) *cobra.Command {
	var account string
	cmd := &cobra.Command{
		Use:   "delete NAME [--account-id ACCOUNT]",
		Short: "Delete an account's access key; requests it signs fail from then on",
		Args:  cobra.ExactArgs(1),
	}
	db := dbFlag(cmd, env)
	cmd.Flags().StringVar(&account, "account-id", "", "account the key acts for (default $PROBITY_ACCOUNT_ID or 000000000000)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		m, done, err := keyManager(cmd, env, db(), "", false)
		if err != nil {
			return err
		}
		defer done()
		if err := m.Delete(cmd.Context(), accountID(account, env), args[0]); err != nil {
			return keyError(err)
		}
		fmt.Fprintf(env.Stdout, "Deleted access key %s.\n", args[0])
		return nil
	}
	return cmd
}
