package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/catalog"
	"github.com/probity-dev/probity/internal/store"
)

func newExportCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export DIR",
		Short: "Write the library's custom controls and frameworks to DIR as controls-as-code files",
		Args:  cobra.ExactArgs(1),
	}
	cmd.AddCommand(newExportOSCALCmd(env))
	db := dbFlag(cmd, env)
	accountOf := accountFlag(cmd, env)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		limitMemory()
		account, err := accountOf()
		if err != nil {
			return err
		}
		st, err := openStore(cmd.Context(), db())
		if err != nil {
			return asInternal(err)
		}
		defer st.Close()
		var n int
		err = st.View(cmd.Context(), func(r store.Reader) error {
			n, err = catalog.ExportFrom(cmd.Context(), r, account, args[0])
			return err
		})
		if probity.ErrorCode(err) == probity.EINVALID {
			return exitWith(ExitInvalid, err) // a target export refuses to write through
		} else if err != nil {
			return asInternal(err)
		}
		fmt.Fprintf(env.Stdout, "Exported %d file(s) to %s.\n", n, args[0])
		return nil
	}
	return cmd
}
