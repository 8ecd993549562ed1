package main

import (
	"encoding/json"
	"errors"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity/internal/catalog"
	"github.com/probity-dev/probity/internal/store"
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
			changes, err := runPlan(cmd, args, env, opts, asJSON)
			if detailed {
				// With --detailed-exitcode, 2 means "changes", so every failure is 1.
				var ee *exitError
				if errors.As(err, &ee) && ee.code == ExitUsage {
					ee.code = ExitInvalid
				}
				if err == nil && changes {
					return exitWith(ExitUsage, nil)
				}
			}
			return err
		},
	}
	db := dbFlag(cmd, env)
	opts.account = accountFlag(cmd, env)
	cmd.Flags().BoolVar(&opts.prune, "prune", false, "also delete what these files managed and no longer define")
	cmd.Flags().StringVar(&opts.source, "source", "files", "owner name of these files; prune touches only what this owner created")
	opts.read = followFlag(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	cmd.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 0 when there are no changes, 2 when there are, 1 on error")
	cmd.PreRun = func(*cobra.Command, []string) { opts.db = db() }
	return cmd
}

// runPlan prints the plan and reports whether it changes anything.
func runPlan(cmd *cobra.Command, args []string, env Env, opts catalogOptions, asJSON bool) (bool, error) {
	limitMemory()
	o, err := opts.options()
	if err != nil {
		return false, err
	}
	st, err := openStore(cmd.Context(), opts.db)
	if err != nil {
		return false, asInternal(err)
	}
	defer st.Close()
	var plan *catalog.Plan
	for attempt := 1; ; attempt++ {
		cat, lib, rev, err := loadWithLibrary(cmd.Context(), st, o.Partition.AccountID, args, *opts.read, env.Stderr)
		if err != nil {
			return false, err
		}
		err = st.View(cmd.Context(), func(r store.Reader) error {
			lib, _, err := catalog.CompleteLibrary(cmd.Context(), r, o.Partition.AccountID, cat, lib, rev, nil)
			if err != nil {
				return err
			}
			plan, err = catalog.MakePlan(cat, lib, o)
			return err
		})
		if errors.Is(err, catalog.ErrLibraryMoved) && attempt < loadAttempts {
			continue
		}
		if err != nil {
			return false, planError(err, env.Stderr)
		}
		break
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(plan); err != nil {
			return false, asInternal(err)
		}
	} else {
		writePlan(env.Stdout, plan)
	}
	return !plan.Empty(), nil
}
