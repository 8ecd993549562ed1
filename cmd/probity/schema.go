package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity/internal/catalog"
)

func newSchemaCmd(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "schema [" + strings.Join(catalog.SchemaKinds, "|") + "]",
		Short: "Print the JSON Schema of a kind of catalog file, for editors' completion and checks",
		Long: `Print the JSON Schema (draft 2020-12) of a kind of catalog file. Without a kind, list
the kinds. Save it beside the catalog and name it on a file's first line for completion
in editors that use yaml-language-server:

  probity schema control > control.schema.json
  # yaml-language-server: $schema=../control.schema.json

The schema checks members, types, lengths and characters; references between files and
unique names are checked by probity validate.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				for _, k := range catalog.SchemaKinds {
					fmt.Fprintf(env.Stdout, "%s\t%s\n", k, catalog.SchemaID(k))
				}
				return nil
			}
			b, err := catalog.Schema(args[0])
			if err != nil {
				return exitWith(ExitUsage, err)
			}
			_, err = env.Stdout.Write(b)
			return err
		},
	}
}
