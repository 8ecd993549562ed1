package main

import (
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/jobs"
)

// The collection wiring: what the collection jobs read (the ACTIVE assessments' data
// sources), where they write (the evidence ledger), and the built-in collectors. It is the
// one place that connects internal/jobs to the rest of Probity; serve and collect both
// build their jobs.Service here.

// builtinCollectors returns the built-in collectors, the one list of them; a source type
// missing here is collected with outcome no_collector.
func builtinCollectors() []jobs.Registration {
	return nil
}

// newCollections returns the collection service that plans from the assessments of plan
// and appends to l (whose upkeep the runner does daily), counting outcomes in m (nil: not
// counted). It returns an error when the collector list is invalid.
func newCollections(plan jobs.Plan, l *evidence.Ledger, m *jobs.Metrics, continuous time.Duration) (*jobs.Service, error) {
	reg, err := jobs.NewRegistry(builtinCollectors()...)
	if err != nil {
		return nil, err
	}
	return &jobs.Service{
		Plan:               plan,
		Appender:           l,
		Upkeep:             l,
		Collectors:         reg,
		ContinuousInterval: continuous,
		Metrics:            m,
	}, nil
}

func newCollectCmd(env Env) *cobra.Command {
	var assessment, account string
	var continuous time.Duration
	cmd := &cobra.Command{
		Use:   "collect --assessment ID [--account ACCOUNT]",
		Short: "Collect an assessment's evidence now",
		Long: `Collect the evidence of every automated data source of an ACTIVE assessment now,
one source after another, as the collection jobs of 'probity serve' do: the window of each
source is the current one (the day, week or month of its sourceFrequency, or the last
ended interval of a continuous source), so a collection that a job already made appends
nothing. Prints one line per source and a summary; exits 1 naming the sources that
failed, or when the assessment has nothing to collect.`,
		Args: cobra.NoArgs,
	}
	db := dbFlag(cmd, env)
	var blobs string
	blobsFlag(cmd, &blobs)
	var keyFile string
	masterKeyFlag(cmd, &keyFile)
	f := cmd.Flags()
	f.StringVar(&assessment, "assessment", "", "id of the assessment to collect (required)")
	f.StringVar(&account, "account", "", "account that owns the assessment (default: any)")
	f.DurationVar(&continuous, "continuous-interval", jobs.DefaultContinuousInterval, "window of continuous sources (those without a sourceFrequency)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		switch {
		case assessment == "":
			return exitWith(ExitUsage, errors.New("--assessment is required"))
		case account != "" && !probity.IsAccountID(account):
			return exitWith(ExitUsage, errors.New("--account must be 12 digits"))
		case continuous <= 0:
			return exitWith(ExitUsage, errors.New("--continuous-interval must be positive"))
		}
		spec := db()
		st, err := openStore(cmd.Context(), spec)
		if err != nil {
			return asInternal(err)
		}
		defer st.Close()
		box, err := openBox(env, spec.URL, keyFile)
		if err != nil {
			return exitWith(ExitUsage, err)
		}
		l, err := openLedger(cmd.Context(), env, spec, st, box, blobs, nil)
		if err != nil {
			return err
		}
		svc, err := newCollections(&assess.Service{Store: st}, l, nil, continuous)
		if err != nil {
			return asInternal(err)
		}
		reps, err := svc.CollectNow(cmd.Context(), jobs.Filter{Account: account, AssessmentID: assessment})
		printReports(env, reps)
		if err != nil {
			if probity.ErrorCode(err) == probity.ENOTFOUND || len(reps) > 0 {
				return exitWith(ExitInvalid, err)
			}
			return asInternal(err)
		}
		return nil
	}
	return cmd
}

// printReports writes one line per collection and a count of each outcome.
func printReports(env Env, reps []jobs.Report) {
	if len(reps) == 0 {
		return
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "OUTCOME\tACCOUNT\tFROM\tCONTROL SET\tCONTROL\tSOURCE\tTYPE\tWINDOW\tAPPENDED")
	counts := map[jobs.Outcome]int{}
	for _, r := range reps {
		counts[r.Outcome]++
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", r.Outcome, r.Account, r.Target, r.ControlSetID, r.ControlID, r.SourceID, r.SourceType, r.Window, r.Appended)
	}
	w.Flush()
	fmt.Fprintf(env.Stdout, "%d collections: %d appended, %d duplicate, %d no collector, %d failed\n", len(reps),
		counts[jobs.OutcomeAppended], counts[jobs.OutcomeDuplicate], counts[jobs.OutcomeNoCollector], counts[jobs.OutcomeFailed])
}
