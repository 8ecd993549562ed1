package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/library"
)

func newControlsCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "controls",
		Short: "Work on the control library",
	}
	cmd.AddCommand(newControlsCopyCmd(env))
	return cmd
}

func newControlsCopyCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "copy CONTROL_ID --name NAME",
		Short: "Make an editable custom copy of a control the account sees, such as a standard one",
		Args:  cobra.ExactArgs(1),
	}
	var name string
	cmd.Flags().StringVar(&name, "name", "", "name of the copy (required)")
	_ = cmd.MarkFlagRequired("name")
	db := dbFlag(cmd, env)
	account := accountFlag(cmd, env)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		acct, err := account()
		if err != nil {
			return err
		}
		st, err := openStandard(ctx, db())
		if err != nil {
			return asInternal(err)
		}
		defer st.Close()
		c, err := (&library.Service{Store: st}).CopyControl(ctx, operator(acct), args[0], name)
		switch probity.ErrorCode(err) {
		case "":
		case probity.EINVALID, probity.ENOTFOUND, probity.ECONFLICT, probity.EQUOTA:
			return exitWith(ExitInvalid, err)
		default:
			return asInternal(err)
		}
		fmt.Fprintf(env.Stdout, "Created custom control %s (%s) from %s.\n", c.ID, c.Name, args[0])
		return nil
	}
	return cmd
}
