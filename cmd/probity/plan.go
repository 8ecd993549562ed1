package main

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity/internal/catalog"
)

func newPlanCmd(env Env) *cobra.Command {
	var (
		opts     catalogOptions
		asJSON   bool
		detailed bool
	)
	cmd := &cobra.Command{
		Use:   "plan PATH...",
		Short: "Show what apply would create, update and delete in the library",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			err := runPlan(cmd, args, env, opts, asJSON, detailed)
			if err != nil && detailed {
				// With --detailed-exitcode, 2 means "changes": every failure is 1.
				if ee, ok := err.(*exitError); ok && ee.code == ExitUsage {
					ee.code = ExitInvalid
				}
			}
			return err
		},
	}
	db := dbFlag(cmd, env)
	cmd.Flags().BoolVar(&opts.prune, "prune", false, "also delete what these files managed and no longer define")
	cmd.Flags().StringVar(&opts.source, "source", "files", "owner name of these files; prune touches only what this owner created")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	cmd.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 0 when there are no changes, 2 when there are, 1 on error")
	cmd.PreRun = func(*cobra.Command, []string) { opts.db = db() }
	return cmd
}

func runPlan(cmd *cobra.Command, args []string, env Env, opts catalogOptions, asJSON, detailed bool) error {
	cat, err := loadCatalog(args, env.Stderr)
	if err != nil {
		return err
	}
	st, err := openStore(cmd.Context(), opts.db)
	if err != nil {
		return asInternal(err)
	}
	defer st.Close()
	lib, err := st.Library(cmd.Context())
	if err != nil {
		return asInternal(err)
	}
	plan, err := catalog.MakePlan(cat, lib, opts.options())
	if err != nil {
		return planError(err, env.Stderr)
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(plan); err != nil {
			return asInternal(err)
		}
	} else {
		writePlan(env.Stdout, plan)
	}
	if detailed && !plan.Empty() {
		return exitWith(ExitUsage, nil)
	}
	return nil
}
