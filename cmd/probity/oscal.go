package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/oscal"
	"github.com/probity-dev/probity/internal/store"
)

// newExportOSCALCmd is `probity export oscal`: OSCAL documents out of the library.
func newExportOSCALCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "oscal",
		Short: "Write OSCAL documents (JSON) of the library's assessments",
	}
	cmd.AddCommand(newExportAssessmentResultsCmd(env))
	return cmd
}

func newExportAssessmentResultsCmd(env Env) *cobra.Command {
	var outFile string
	cmd := &cobra.Command{
		Use:   "assessment-results ASSESSMENT_ID [--output FILE]",
		Short: "Write an assessment as OSCAL 1.1.3 assessment-results: an observation per evidence, a finding per control with its status and reviewers' comments",
		Args:  cobra.ExactArgs(1),
	}
	db := dbFlag(cmd, env)
	accountOf := accountFlag(cmd, env)
	cmd.Flags().StringVarP(&outFile, "output", "o", "", "write to FILE instead of standard output")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		account, err := accountOf()
		if err != nil {
			return err
		}
		st, err := openStore(ctx, db())
		if err != nil {
			return asInternal(err)
		}
		defer st.Close()
		w := env.Stdout
		if outFile != "" {
			f, err := os.Create(outFile)
			if err != nil {
				return exitWith(ExitUsage, err)
			}
			defer f.Close()
			w = f
		}
		// One View: the observations and the findings see the same ledger.
		err = st.View(ctx, func(r store.Reader) error {
			a, err := r.Assessment(ctx, account, args[0])
			if err != nil {
				return err
			}
			return oscal.WriteAssessmentResults(ctx, w, oscal.ResultsInput{Assessment: *a,
				Evidence: oscal.LedgerEvidence(r, account, a.ID), At: time.Now(), Tool: versionText(debug.ReadBuildInfo())})
		})
		if probity.ErrorCode(err) == probity.ENOTFOUND {
			return exitWith(ExitInvalid, fmt.Errorf("assessment %s: not found in account %s", args[0], account))
		} else if err != nil {
			return asInternal(err)
		}
		if outFile != "" {
			if err := w.(*os.File).Close(); err != nil {
				return exitWith(ExitUsage, err)
			}
		}
		return nil
	}
	return cmd
}
