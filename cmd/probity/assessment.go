package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
)

func newAssessmentCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "assessment",
		Short: "Work on assessments",
	}
	cmd.AddCommand(newAssessmentSyncCmd(env))
	return cmd
}

func newAssessmentSyncCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sync ID",
		Short: "Bring an assessment's snapshot up to its framework's current version, keeping the review state of unchanged controls",
		Args:  cobra.ExactArgs(1),
	}
	db := dbFlag(cmd, env)
	account := accountFlag(cmd, env)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		acct, err := account()
		if err != nil {
			return err
		}
		st, err := openStore(cmd.Context(), db())
		if err != nil {
			return asInternal(err)
		}
		defer st.Close()
		a, err := (&assess.Service{Store: st}).Sync(cmd.Context(), operator(acct), args[0])
		switch probity.ErrorCode(err) {
		case "":
		case probity.EINVALID, probity.ENOTFOUND, probity.EUNAUTHORIZED:
			return exitWith(ExitInvalid, err)
		default:
			return asInternal(err)
		}
		n := 0
		for _, s := range a.ControlSets {
			n += len(s.Controls)
		}
		fmt.Fprintf(env.Stdout, "Synced assessment %s (%s) with framework %s: %d control sets, %d controls.\n",
			a.ID, a.Name, a.Framework.ID, len(a.ControlSets), n)
		return nil
	}
	return cmd
}
