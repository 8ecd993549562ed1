package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/findings"
)

func newFindingsCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "findings",
		Short: "Import third-party compliance findings as automated evidence",
	}
	cmd.AddCommand(newFindingsImportCmd(env))
	return cmd
}

func newFindingsImportCmd(env Env) *cobra.Command {
	var account, keyFile string
	var blobs blobOptions
	cmd := &cobra.Command{
		Use:   "import FILE|s3://BUCKET/KEY|-",
		Short: "Import findings (OCSF JSON as Prowler writes it, ASFF, Prowler CSV) as compliance-check evidence of the active assessments whose scope holds their accounts",
		Long: `Reads a findings file (- is standard input), recognising its format by its content:
a JSON array of OCSF 1.x findings (Prowler's JSON-OCSF), a JSON array of ASFF findings
(or {"Findings": [...]}), or Prowler's semicolon-separated CSV. A file with any bad
record is refused whole (exit 1), naming the record and field of every problem.

Each finding becomes compliance-check evidence, dated by the finding's time, of every
control of every ACTIVE assessment whose scope holds the finding's account and whose
name is one of the requirement ids the finding carries (see docs/format.md). Importing
the same file again appends nothing. Prints a JSON summary.`,
		Args: cobra.ExactArgs(1),
	}
	db := dbFlag(cmd, env)
	cmd.Flags().StringVar(&account, "account", "", "import only into the assessments of this account (default: every account's)")
	blobsFlag(cmd, env, &blobs)
	masterKeyFlag(cmd, &keyFile)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		var in io.Reader
		switch ref := args[0]; {
		case ref == "-":
			in = cmd.InOrStdin()
		case isURL(ref):
			data, err := readSource(ctx, ref)
			if err != nil {
				return err
			}
			in = bytes.NewReader(data)
		default:
			f, err := os.Open(ref)
			if err != nil {
				return exitWith(ExitUsage, err)
			}
			defer f.Close()
			in = f
		}
		_, fs, err := findings.Decode(in)
		if err != nil {
			if probity.ErrorCode(err) == probity.EINVALID {
				return exitWith(ExitInvalid, fmt.Errorf("%s: %w", args[0], err))
			}
			return exitWith(ExitUsage, err)
		}
		spec := db()
		st, err := openStore(ctx, spec)
		if err != nil {
			return exitWith(ExitUsage, err)
		}
		defer st.Close()
		box, err := openBox(env, spec.URL, keyFile)
		if err != nil {
			return exitWith(ExitUsage, err)
		}
		l, err := openLedger(ctx, env, spec, st, box, blobs, nil)
		if err != nil {
			return exitWith(ExitUsage, err)
		}
		im := &findings.Importer{Store: st, Ledger: l, Author: "probity findings import"}
		sum, err := im.Import(ctx, account, fs)
		if err != nil {
			return exitWith(ExitUsage, err)
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	return cmd
}

// isURL reports whether ref names an http(s) URL or an S3 object rather than a file.
func isURL(ref string) bool {
	for _, p := range []string{"s3://", "http://", "https://"} {
		if len(ref) >= len(p) && ref[:len(p)] == p {
			return true
		}
	}
	return false
}
