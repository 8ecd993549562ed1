package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/catalog"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// listCatalog finds the catalog files under paths, to be read as they are decoded
// (catalog.LoadKnownFrom, catalog.CheckFrom; readError gives their errors the exit code
// of a file that cannot be read); finding none is an ExitInvalid error, so that an empty
// checkout never prunes a library.
func listCatalog(paths []string, opt doc.ReadOptions) (*doc.Listing, error) {
	l, err := doc.ListPaths(paths, opt)
	if err != nil {
		return nil, exitWith(ExitUsage, err)
	}
	if l.Len() == 0 {
		return nil, exitWith(ExitInvalid, fmt.Errorf("no .yaml, .yml or .json files under %s", strings.Join(paths, ", ")))
	}
	return l, nil
}

// catalogMemoryLimit is the soft memory limit of validate, plan, apply and export, and of serve
// when it keeps catalog sources (see docs/benchmarks.md): the garbage collector works
// harder as the heap nears it, which keeps a large catalog's peak near its live heap
// instead of twice it. GOMEMLIMIT, when set, is used instead (GOMEMLIMIT=off: no limit).
// At 50,000 controls the live heaps peak at 130-165 MB, about 27 MB of which is the AWS
// SDK's (every process holds it); the binary's mapped code adds about 70 MB of RSS
// beyond the limit. 200 MiB costs cold apply and validate 10-25% more CPU than 220 MiB,
// and no-op plans and serve's changes nothing measurable. A server whose live heap
// outgrows the limit collects more often (at most half the CPU): set GOMEMLIMIT above it.
const catalogMemoryLimit = 200 << 20

// limitMemory sets catalogMemoryLimit unless GOMEMLIMIT is set.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(catalogMemoryLimit)
	}
}

// readError is the exit error of a catalog file that could not be read.
func readError(err error) error { return exitWith(ExitUsage, err) }

// followFlag registers --follow-symlinks on cmd and returns the read options it sets.
func followFlag(cmd *cobra.Command) *doc.ReadOptions {
	var opt doc.ReadOptions
	cmd.Flags().BoolVar(&opt.FollowSymlinks, "follow-symlinks", false,
		"read symbolic links to regular files that stay inside the folder given (never links out of it, nor to folders)")
	return &opt
}

// catalogProblems reports the problems Load or Check found, if any: on stderr, one
// diagnostic per line, returning an ExitInvalid error.
func catalogProblems(diags doc.Diagnostics, stderr io.Writer) error {
	if len(diags) > 0 {
		return reportDiagnostics(stderr, diags)
	}
	return nil
}

// loadWithLibrary lists the files under paths and, meanwhile, reads the outline of the
// library st holds and its revision (read together); then it checks the files, taking
// unchanged ones from the library. Plan and apply use it: plan completes the outline
// (catalog.CompleteLibrary), apply hands it and its revision to catalog.Apply, which
// completes it in its transaction.
func loadWithLibrary(ctx context.Context, st store.Store, account string, paths []string, read doc.ReadOptions, stderr io.Writer) (*catalog.Catalog, *store.Library, int64, error) {
	var lib *store.Library
	var rev int64
	var libErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		libErr = st.View(ctx, func(r store.Reader) error {
			var err error
			if rev, err = r.LibraryRevision(ctx, account); err != nil {
				return err
			}
			lib, err = r.LibraryOutline(ctx, account)
			return err
		})
	}()
	files, err := listCatalog(paths, read)
	<-done
	if err != nil {
		return nil, nil, 0, err
	}
	if libErr != nil {
		return nil, nil, 0, asInternal(libErr)
	}
	cat, diags, err := catalog.LoadKnownFrom(files, lib)
	if err != nil {
		return nil, nil, 0, readError(err)
	}
	return cat, lib, rev, catalogProblems(diags, stderr)
}

// loadAttempts is how many times plan and apply read the catalog when another writer
// changes a control that an unchanged file stands for meanwhile
// (catalog.ErrLibraryMoved).
const loadAttempts = 3

func reportDiagnostics(stderr io.Writer, diags doc.Diagnostics) error {
	for _, d := range diags {
		fmt.Fprintln(stderr, d.String())
	}
	files := map[string]bool{}
	for _, d := range diags {
		files[d.Path] = true
	}
	return exitWith(ExitInvalid, fmt.Errorf("%d problem(s) in %d file(s); nothing was applied", len(diags), len(files)))
}

// planError turns MakePlan's and Apply's errors into exit codes: problems with the files
// or a refused change are the user's to fix (1), anything else is internal (2).
func planError(err error, stderr io.Writer) error {
	var diags doc.Diagnostics
	switch {
	case errors.As(err, &diags):
		return reportDiagnostics(stderr, diags)
	case probity.ErrorCode(err) == probity.EINTERNAL:
		return exitWith(ExitUsage, err)
	default:
		return exitWith(ExitInvalid, err)
	}
}

// catalogOptions are the flags plan and apply share.
type catalogOptions struct {
	db      dbSpec
	account func() (string, error)
	prune   bool
	source  string
	read    *doc.ReadOptions
}

// options returns the catalog options of the flags, or a usage error for a bad account.
func (o *catalogOptions) options() (catalog.Options, error) {
	account, err := o.account()
	if err != nil {
		return catalog.Options{}, err
	}
	// Each load is planned once (ErrLibraryMoved loads again): the plan may take it.
	return catalog.Options{Source: o.source, Prune: o.prune, Actor: "probity",
		Partition: probity.DefaultPartition.In(account), Consume: true}, nil
}

// writePlan prints a plan for people.
func writePlan(w io.Writer, p *catalog.Plan) {
	fmt.Fprintf(w, "Plan: %d to create, %d to update, %d to delete, %d unchanged.\n",
		p.Count(catalog.Create), p.Count(catalog.Update), p.Count(catalog.Delete), p.Unchanged)
	if p.Empty() {
		return
	}
	fmt.Fprintln(w)
	for _, c := range p.Changes {
		sign := map[catalog.Action]string{catalog.Create: "+", catalog.Update: "~", catalog.Delete: "-"}[c.Action]
		fmt.Fprintf(w, "  %s %s %q", sign, strings.ToLower(c.Kind), c.Name)
		if c.Path != "" {
			fmt.Fprintf(w, " (%s)", c.Path)
		}
		if len(c.Members) > 0 {
			fmt.Fprintf(w, ": %s", strings.Join(c.Members, ", "))
		}
		fmt.Fprintln(w)
	}
}

// asInternal gives errors without an exit code the internal-error code.
func asInternal(err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return exitWith(ExitUsage, err)
}
