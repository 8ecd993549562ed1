// Command probity is the Probity binary. This package only wires the parts together:
// each subcommand has its own file, and Run is the whole program, so tests drive it
// exactly as a user does.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, documented in the README.
const (
	ExitOK      = 0 // success; for plan --detailed-exitcode: no changes
	ExitInvalid = 1 // the input is invalid or the change was refused; nothing was applied
	ExitUsage   = 2 // usage or internal error; for plan --detailed-exitcode: changes pending
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// Env is what the program takes from its surroundings.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// exitError carries an exit code out of a subcommand. Its message has already been
// written when msg is empty.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func exitWith(code int, err error) error { return &exitError{code: code, err: err} }

// Run runs the command line args and returns the process exit code.
func Run(ctx context.Context, args []string, env Env) int {
	root := newRoot(env)
	root.SetArgs(args)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(env.Stderr, "probity:", ee.err)
		}
		return ee.code
	}
	// Anything cobra itself reports (unknown command or flag, wrong argument count) is a
	// usage error.
	fmt.Fprintln(env.Stderr, "probity:", err)
	return ExitUsage
}

func newRoot(env Env) *cobra.Command {
	root := &cobra.Command{
		Use:           "probity",
		Short:         "Continuous compliance monitoring with an AWS Audit Manager compatible API",
		Version:       versionText(debug.ReadBuildInfo()),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("probity {{.Version}}\n")
	root.AddCommand(
		newValidateCmd(env),
		newPlanCmd(env),
		newApplyCmd(env),
		newExportCmd(env),
		newServeCmd(env),
		newKeysCmd(env),
		newRulesCmd(env),
		newAssessmentCmd(env),
		newCollectCmd(env),
		newEvidenceCmd(env),
		newReportCmd(env),
		newImportCmd(env),
		newCrosswalkCmd(env),
		newControlsCmd(env),
		newFindingsCmd(env),
		newSchemaCmd(env),
	)
	return root
}

// version is the release, set at build time with
// -ldflags "-X main.version=v1.2.3"; without it, the module version the build records.
var version = ""

// versionText returns what probity --version prints after "probity": the version, the
// commit (with "+dirty" for uncommitted changes) and the Go version, each "unknown" when
// the build does not record it.
func versionText(info *debug.BuildInfo, ok bool) string {
	v, commit, goVersion, dirty := version, "unknown", "unknown", false
	if ok {
		if v == "" && info.Main.Version != "" {
			v = info.Main.Version
		}
		goVersion = info.GoVersion
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "unknown"
	}
	if dirty {
		commit += "+dirty"
	}
	return fmt.Sprintf("%s (commit %s, %s)", v, commit, goVersion)
}
