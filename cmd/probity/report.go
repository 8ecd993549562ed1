package main

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity/internal/report"
)

func newReportCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Work with assessment reports",
	}
	cmd.AddCommand(newReportVerifyCmd(env))
	return cmd
}

func newReportVerifyCmd(env Env) *cobra.Command {
	var keyFile string
	cmd := &cobra.Command{
		Use:   "verify REPORT.zip [--public-key FILE]",
		Short: "Check an assessment report offline: signature, every file's digest, nothing added or removed",
		Long: `Check an assessment report with no server and no database. Each problem is printed
with the file it concerns. Exit status: 0 valid, 1 invalid, 2 unreadable (or a bad key file).

With --public-key (a PEM file from "probity keys signing export-public"), the report must
be signed by that key. Without it, the signature is checked against the public key that
digest.txt itself carries: the report is consistent, but anyone could have made it, so
the key id is printed to compare with the one you expect.`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&keyFile, "public-key", "", "PEM file of the signing key's public half; the report must be signed by it")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var trust report.Trust
		var pub ed25519.PublicKey
		if keyFile != "" {
			b, err := os.ReadFile(keyFile)
			if err == nil {
				pub, err = report.ParsePublicKey(b)
			}
			if err != nil {
				return exitWith(ExitUsage, fmt.Errorf("%s: %w", keyFile, err))
			}
			trust = report.TrustKeys(pub)
		}
		f, err := os.Open(args[0])
		if err != nil {
			return exitWith(ExitUsage, fmt.Errorf("%s: unreadable: %w", args[0], err))
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return exitWith(ExitUsage, fmt.Errorf("%s: unreadable: %w", args[0], err))
		}
		res, err := report.Verify(f, st.Size(), trust)
		if err != nil {
			return exitWith(ExitUsage, fmt.Errorf("%s: unreadable: %w", args[0], err))
		}
		for _, p := range res.Problems {
			fmt.Fprintln(env.Stdout, p)
		}
		if !res.Valid {
			return exitWith(ExitInvalid, fmt.Errorf("%s: INVALID: %d problem(s)", args[0], len(res.Problems)))
		}
		fmt.Fprintf(env.Stdout, "%s: valid: %d files match digest.txt; signed %s with %s key %s\n",
			args[0], res.Files, res.SignedAt.Format(time.RFC3339), res.Algorithm, res.KeyID)
		if res.Anchored {
			fmt.Fprintf(env.Stdout, "the signing key is the key of %s\n", keyFile)
		} else {
			fmt.Fprintln(env.Stdout, "the signature is self-consistent but NOT anchored: pass --public-key to check who signed it")
		}
		return nil
	}
	return cmd
}
