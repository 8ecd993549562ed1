package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity/internal/catalog"
)

func newApplyCmd(env Env) *cobra.Command {
	var opts catalogOptions
	cmd := &cobra.Command{
		Use:   "apply PATH...",
		Short: "Apply control and framework files to the library in one transaction",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			limitMemory()
			o, err := opts.options()
			if err != nil {
				return err
			}
			st, err := openStore(cmd.Context(), opts.db)
			if err != nil {
				return asInternal(err)
			}
			defer st.Close()
			var plan *catalog.Plan
			for attempt := 1; ; attempt++ {
				cat, lib, rev, err := loadWithLibrary(cmd.Context(), st, o.Partition.AccountID, args, *opts.read, env.Stderr)
				if err != nil {
					return err
				}
				// The library just read is planned against unless a writer moved it meanwhile.
				o.Library, o.LibraryRevision = lib, rev
				plan, err = catalog.Apply(cmd.Context(), st, cat, o)
				if errors.Is(err, catalog.ErrLibraryMoved) && attempt < loadAttempts {
					continue
				}
				if err != nil {
					return planError(err, env.Stderr)
				}
				break
			}
			writePlan(env.Stdout, plan)
			if plan.Empty() {
				fmt.Fprintln(env.Stdout, "No changes.")
			} else {
				fmt.Fprintf(env.Stdout, "\nApplied: %d created, %d updated, %d deleted.\n",
					plan.Count(catalog.Create), plan.Count(catalog.Update), plan.Count(catalog.Delete))
			}
			return nil
		},
	}
	db := dbFlag(cmd, env)
	opts.account = accountFlag(cmd, env)
	cmd.Flags().BoolVar(&opts.prune, "prune", false, "also delete what these files managed and no longer define")
	cmd.Flags().StringVar(&opts.source, "source", "files", "owner name of these files; prune touches only what this owner created")
	opts.read = followFlag(cmd)
	cmd.PreRun = func(*cobra.Command, []string) { opts.db = db() }
	return cmd
}
