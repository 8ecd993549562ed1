package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
)

// Exit codes of probity evidence verify.
const (
	verifyIntact   = 0
	verifyTampered = 1
	verifyFailed   = 2
)

func newEvidenceCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Check the evidence ledger",
	}
	cmd.AddCommand(newEvidenceVerifyCmd(env))
	return cmd
}

func newEvidenceVerifyCmd(env Env) *cobra.Command {
	var assessment, keyFile string
	cmd := &cobra.Command{
		Use:   "verify [--assessment ID]",
		Short: "Walk the evidence chains and blobs against the signed checkpoints; exit 0 intact, 1 tampered, 2 could not check",
		Args:  cobra.NoArgs,
	}
	db := dbFlag(cmd, env)
	cmd.Flags().StringVar(&assessment, "assessment", "", "verify only this assessment's chain")
	var blobs blobOptions
	blobsFlag(cmd, env, &blobs)
	masterKeyFlag(cmd, &keyFile)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		spec := db()
		st, err := openStore(cmd.Context(), spec)
		if err != nil {
			return exitWith(verifyFailed, err)
		}
		defer st.Close()
		box, err := openBox(env, spec.URL, keyFile)
		if err != nil {
			return exitWith(verifyFailed, err)
		}
		l, err := openLedger(cmd.Context(), env, spec, st, box, blobs, nil)
		if err != nil {
			return exitWith(verifyFailed, err)
		}
		rep, err := l.Verify(cmd.Context(), assessment)
		if err != nil {
			if probity.ErrorCode(err) == probity.ENOTFOUND {
				return exitWith(verifyFailed, fmt.Errorf("assessment %s has no evidence", assessment))
			}
			return exitWith(verifyFailed, fmt.Errorf("could not verify the evidence: %w", err))
		}
		for _, p := range rep.Problems {
			fmt.Fprintf(env.Stdout, "TAMPERED %s\n", p)
		}
		fmt.Fprintf(env.Stdout, "%d chain(s), %d record(s), %d blob(s), %d checkpoint(s) checked; %d chain(s) tampered\n",
			rep.Chains, rep.Records, rep.Blobs, rep.Checkpoints, len(rep.Problems))
		if len(rep.Problems) > 0 {
			return exitWith(verifyTampered, nil)
		}
		return nil
	}
	return cmd
}
