package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity/internal/report"
	"github.com/probity-dev/probity/internal/store"
)

func newSigningKeysCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "signing",
		Short: "Manage the Ed25519 keys that sign assessment reports (old keys stay to verify old reports)",
	}
	cmd.AddCommand(newSigningAddCmd(env, "create", "Create the first report signing key"),
		newSigningAddCmd(env, "rotate", "Create a new report signing key, which signs from now on"),
		newSigningListCmd(env), newSigningExportCmd(env))
	return cmd
}

// signingKeys opens the library and returns the signing keys on it, with the store to
// close; needBox opens the master key too.
func signingKeys(cmd *cobra.Command, env Env, db dbSpec, keyFile string, needBox bool) (*report.Keys, func(), error) {
	st, err := openStore(cmd.Context(), db)
	if err != nil {
		return nil, nil, asInternal(err)
	}
	k := &report.Keys{Store: st}
	if needBox {
		if k.Box, err = openBox(env, db.URL, keyFile); err != nil {
			st.Close()
			return nil, nil, exitWith(ExitUsage, err)
		}
	}
	return k, func() { st.Close() }, nil
}

func newSigningAddCmd(env Env, verb, short string) *cobra.Command {
	var keyFile string
	cmd := &cobra.Command{Use: verb, Short: short, Args: cobra.NoArgs}
	db := dbFlag(cmd, env)
	masterKeyFlag(cmd, &keyFile)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		k, done, err := signingKeys(cmd, env, db(), keyFile, true)
		if err != nil {
			return err
		}
		defer done()
		var sk *store.SigningKey
		if verb == "create" {
			sk, err = k.Create(cmd.Context())
		} else {
			sk, err = k.Rotate(cmd.Context())
		}
		if err != nil {
			return keyError(err)
		}
		fmt.Fprintf(env.Stdout, "signing key %s created; it signs reports from now on\n", sk.ID)
		return nil
	}
	return cmd
}

func newSigningListCmd(env Env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{Use: "list", Short: "List the report signing keys, oldest first; the last signs", Args: cobra.NoArgs}
	db := dbFlag(cmd, env)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the keys as JSON")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		k, done, err := signingKeys(cmd, env, db(), "", false)
		if err != nil {
			return err
		}
		defer done()
		ks, err := k.List(cmd.Context())
		if err != nil {
			return keyError(err)
		}
		type row struct {
			KeyID     string    `json:"keyId"`
			CreatedAt time.Time `json:"createdAt"`
			Current   bool      `json:"current"`
		}
		rows := make([]row, 0, len(ks))
		for i, sk := range ks {
			rows = append(rows, row{sk.ID, sk.CreatedAt, i == len(ks)-1})
		}
		if asJSON {
			return json.NewEncoder(env.Stdout).Encode(rows)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY ID\tCREATED\tSIGNS")
		for _, r := range rows {
			signs := "no (verifies only)"
			if r.Current {
				signs = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.KeyID, r.CreatedAt.Format(time.RFC3339), signs)
		}
		return tw.Flush()
	}
	return cmd
}

func newSigningExportCmd(env Env) *cobra.Command {
	var id, out string
	cmd := &cobra.Command{
		Use:   "export-public [--key-id ID] [--out FILE]",
		Short: "Print a signing key's public half as PEM, for probity report verify --public-key on any machine",
		Args:  cobra.NoArgs,
	}
	db := dbFlag(cmd, env)
	cmd.Flags().StringVar(&id, "key-id", "", "the key to export (default: the key that signs now)")
	cmd.Flags().StringVar(&out, "out", "", "write the PEM to this file instead of standard output")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		k, done, err := signingKeys(cmd, env, db(), "", false)
		if err != nil {
			return err
		}
		defer done()
		ks, err := k.List(cmd.Context())
		if err != nil {
			return keyError(err)
		}
		var pem []byte
		for i, sk := range ks {
			if sk.ID == id || id == "" && i == len(ks)-1 {
				pem = report.MarshalPublicKey(sk.PublicKey)
			}
		}
		switch {
		case pem == nil && id == "":
			return exitWith(ExitInvalid, fmt.Errorf("no signing key yet: run probity keys signing create"))
		case pem == nil:
			return exitWith(ExitInvalid, fmt.Errorf("no signing key %s (see probity keys signing list)", id))
		case out != "":
			if err := os.WriteFile(out, pem, 0o644); err != nil {
				return exitWith(ExitUsage, err)
			}
			return nil
		}
		_, err = env.Stdout.Write(pem)
		return err
	}
	return cmd
}
