package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity/internal/catalog"
	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/rules"
)

func newRulesCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List, evaluate and test the managed rules and custom rules (rules/*.yaml)",
	}
	cmd.AddCommand(newRulesListCmd(env), newRulesEvalCmd(env), newRulesTestCmd(env))
	return cmd
}

// customRulesFlag registers --catalog on cmd and returns a function that loads and
// compiles the custom rules (rules/*.yaml) of those catalogs, plus those of extra
// folders; problems are reported as path:line:col diagnostics on stderr.
func customRulesFlag(cmd *cobra.Command, env Env) func(extra ...string) (map[string]*rules.Rule, error) {
	var dirs []string
	cmd.Flags().StringArrayVar(&dirs, "catalog", nil, "also use the custom rules (rules/*.yaml) of this catalog folder (repeatable)")
	return func(extra ...string) (map[string]*rules.Rule, error) {
		paths := append(slices.Clone(dirs), extra...)
		if len(paths) == 0 {
			return nil, nil
		}
		files, err := doc.ReadPaths(paths, doc.ReadOptions{})
		if err != nil {
			return nil, exitWith(ExitUsage, err)
		}
		defs, diags := catalog.LoadRules(files)
		if err := catalogProblems(diags, env.Stderr); err != nil {
			return nil, err
		}
		out := make(map[string]*rules.Rule, len(defs))
		for _, d := range defs {
			r, err := rules.Compile(d) // Load compiled it: this is the cached rule
			if err != nil {
				return nil, exitWith(ExitInvalid, err)
			}
			out[r.ID] = r
		}
		return out, nil
	}
}

func newRulesListCmd(env Env) *cobra.Command {
	var custom func(...string) (map[string]*rules.Rule, error)
	cmd := &cobra.Command{
		Use:   "list [--catalog DIR]...",
		Short: "List the managed rules and the catalogs' custom rules: identifier, scope, parameters (name:type=default); AWS_CONFIG_PROCESS_CHECK last, as a process check",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := custom()
			if err != nil {
				return err
			}
			all := rules.All()
			for _, id := range slices.Sorted(maps.Keys(set)) {
				all = append(all, set[id])
			}
			w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "RULE\tSCOPE\tPARAMETERS")
			for _, r := range all {
				var ps []string
				for _, p := range r.Params {
					s := p.Name + ":" + string(p.Type)
					if p.Default != "" {
						s += "=" + p.Default
					}
					if p.Required {
						s += "!"
					}
					ps = append(ps, s)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", r.ID, r.ScopeText(), strings.Join(ps, " "))
			}
			fmt.Fprintf(w, "%s\t%s\t\n", rules.ProcessCheck, "process check (manual attestation, not evaluated)")
			return w.Flush()
		},
	}
	custom = customRulesFlag(cmd, env)
	return cmd
}

func newRulesEvalCmd(env Env) *cobra.Command {
	var id, now string
	var params []string
	var custom func(...string) (map[string]*rules.Rule, error)
	cmd := &cobra.Command{
		Use:   "eval --rule ID [--catalog DIR]... [--param K=V]... [--now RFC3339] FILE",
		Short: "Evaluate one rule (managed, or Custom_<name> from --catalog) against a CI or a snapshot; one JSON result per line",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := custom()
			if err != nil {
				return err
			}
			rule, err := rules.Resolve(id, set)
			if err != nil {
				return exitWith(ExitUsage, err)
			}
			kv := map[string]string{}
			for _, p := range params {
				k, v, ok := strings.Cut(p, "=")
				if !ok || k == "" {
					return exitWith(ExitUsage, fmt.Errorf("--param %q: want K=V", p))
				}
				kv[k] = v
			}
			check, err := rule.Bind(kv)
			if err != nil {
				return exitWith(ExitInvalid, err)
			}
			renv := rules.Env{Now: time.Now().UTC()}
			if now != "" {
				if renv.Now, err = time.Parse(time.RFC3339, now); err != nil {
					return exitWith(ExitUsage, fmt.Errorf("--now %q: want RFC 3339, e.g. 2024-05-01T00:00:00Z", now))
				}
			}
			f, err := os.Open(args[0])
			if err != nil {
				return exitWith(ExitInvalid, err)
			}
			defer f.Close()
			out := bufio.NewWriter(env.Stdout)
			enc := json.NewEncoder(out)
			err = rules.Evaluate(check, ci.NewDecoder(bufio.NewReaderSize(f, 1<<16)), renv, func(r rules.Result) error {
				return enc.Encode(r)
			})
			if ferr := out.Flush(); err == nil {
				err = ferr
			}
			if err != nil {
				return exitWith(ExitInvalid, fmt.Errorf("%s: %w", args[0], err))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&id, "rule", "", "rule identifier (probity rules list): a managed rule, or Custom_<name>")
	cmd.Flags().StringArrayVar(&params, "param", nil, "rule parameter K=V (repeatable)")
	cmd.Flags().StringVar(&now, "now", "", "evaluation time for age-based rules (RFC 3339; default: now)")
	cmd.MarkFlagRequired("rule")
	custom = customRulesFlag(cmd, env)
	return cmd
}

func newRulesTestCmd(env Env) *cobra.Command {
	var custom func(...string) (map[string]*rules.Rule, error)
	cmd := &cobra.Command{
		Use:   "test [--catalog DIR]... DIR",
		Short: "Run the rule test cases (*.json) under DIR; custom rules come from rules/*.yaml under DIR and the --catalog folders",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := custom(args[0])
			if err != nil {
				return err
			}
			n, failures, err := rules.RunCaseDirWith(args[0], set)
			if err != nil {
				return exitWith(ExitInvalid, err)
			}
			for _, f := range failures {
				fmt.Fprintln(env.Stderr, "FAIL", f)
			}
			if len(failures) > 0 {
				return exitWith(ExitInvalid, fmt.Errorf("%d of %d case(s) failed", len(failures), n))
			}
			fmt.Fprintf(env.Stdout, "ok: %d case(s) passed\n", n)
			return nil
		},
	}
	custom = customRulesFlag(cmd, env)
	return cmd
}
