package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/catalog"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

func newValidateCmd(env Env) *cobra.Command {
	var (
		db        string
		read      *doc.ReadOptions
		accountOf func() (string, error)
	)
	cmd := &cobra.Command{
		Use:   "validate PATH...",
		Short: "Check control and framework files; exit 1 with path:line:col diagnostics when they are not valid",
		Long: `Validate reads every .yaml, .yml and .json file under the paths and reports every
problem as path:line:col: member: reason. Framework references must resolve within the
files, or also against the library when --db is given. Only regular files are read: a
symbolic link, named pipe or other special file is reported, not read (see
--follow-symlinks).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			limitMemory()
			files, err := listCatalog(args, *read)
			if err != nil {
				return err
			}
			account, err := accountOf()
			if err != nil {
				return err
			}
			lib := &store.Library{}
			if db != "" {
				st, err := openStore(cmd.Context(), dbSpec{URL: db})
				if err != nil {
					return asInternal(err)
				}
				defer st.Close()
				if lib, err = st.Library(cmd.Context(), account); err != nil {
					return asInternal(err)
				}
			}
			// Every file is checked in full: no shortcut through the library here.
			cat, diags, err := catalog.CheckFrom(files, lib)
			if err != nil {
				return readError(err)
			}
			if err := catalogProblems(diags, env.Stderr); err != nil {
				return err
			}
			controls := len(cat.Controls) // the plan consumes them
			if _, err := catalog.MakePlan(cat, lib, catalog.Options{Partition: probity.DefaultPartition.In(account), Consume: true}); err != nil {
				return planError(err, env.Stderr)
			}
			if len(cat.Rules) > 0 {
				fmt.Fprintf(env.Stdout, "%d custom rule(s), ", len(cat.Rules))
			}
			if len(cat.Mappings) > 0 {
				fmt.Fprintf(env.Stdout, "%d finding mapping(s), ", len(cat.Mappings))
			}
			fmt.Fprintf(env.Stdout, "%d control(s) and %d framework(s) are valid.\n", controls, len(cat.Frameworks))
			return nil
		},
	}
	read = followFlag(cmd)
	accountOf = accountFlag(cmd, env)
	cmd.Flags().StringVar(&db, "db", "", "also resolve framework references against this library (sqlite:PATH or postgres://...)")
	return cmd
}
