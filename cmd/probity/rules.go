package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/rules"
)

func newRulesCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List, evaluate and test the managed rules",
	}
	cmd.AddCommand(newRulesListCmd(env), newRulesEvalCmd(env), newRulesTestCmd(env))
	return cmd
}

func newRulesListCmd(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the managed rules: identifier, scope, parameters (name:type=default)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "RULE\tSCOPE\tPARAMETERS")
			for _, r := range rules.All() {
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
			return w.Flush()
		},
	}
}

func newRulesEvalCmd(env Env) *cobra.Command {
	var id, now string
	var params []string
	cmd := &cobra.Command{
		Use:   "eval --rule ID [--param K=V]... [--now RFC3339] FILE",
		Short: "Evaluate one managed rule against a CI or a snapshot; one JSON result per line",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rule, err := rules.Get(id)
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
	cmd.Flags().StringVar(&id, "rule", "", "managed rule identifier (probity rules list)")
	cmd.Flags().StringArrayVar(&params, "param", nil, "rule parameter K=V (repeatable)")
	cmd.Flags().StringVar(&now, "now", "", "evaluation time for age-based rules (RFC 3339; default: now)")
	cmd.MarkFlagRequired("rule")
	return cmd
}

func newRulesTestCmd(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "test DIR",
		Short: "Run the rule test cases (*.json) under DIR",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, failures, err := rules.RunCaseDir(args[0])
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
}
