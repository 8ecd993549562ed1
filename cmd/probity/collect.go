package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/collect/apicall"
	"github.com/probity-dev/probity/internal/collect/cloudtrail"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/collect/securityhub"
	"github.com/probity-dev/probity/internal/collect/target"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/jobs"
)

// The collection wiring: what the collection jobs read (the ACTIVE assessments' data
// sources), where they write (the evidence ledger), and the built-in collectors. It is the
// one place that connects internal/jobs to the rest of Probity; serve and collect both
// build their jobs.Service here.

// builtinCollectors returns the built-in collectors, the one list of them; a source type
// missing here is collected with outcome no_collector. They reach the accounts of an
// assessment's scope as o says, and keep files in blobs (nil: the API-call collector
// fails, saying so).
func builtinCollectors(o collectOptions, blobs evidence.Blobs) []jobs.Registration {
	accounts := o.accounts()
	return []jobs.Registration{
		{Type: probity.SourceTypeConfig, Collector: o.configCollector(accounts)},
		{Type: probity.SourceTypeSecurityHub, Collector: &securityhub.Collector{Accounts: accounts}},
		{Type: probity.SourceTypeCloudTrail, Collector: &cloudtrail.Collector{Accounts: accounts}},
		{Type: probity.SourceTypeAPICall, Collector: &apicall.Collector{Accounts: accounts, Blobs: blobs}},
	}
}

// collectOptions say how the collectors reach the AWS accounts of a scope, and where
// the AWS_Config collector reads configuration items.
type collectOptions struct {
	role, externalID string
	regions          []string
	source           string
}

func addCollectFlags(f *pflag.FlagSet, o *collectOptions) {
	f.StringVar(&o.role, "collect-role", awsconf.DefaultRoleName, "IAM role (NAME or PATH/NAME) assumed in every account of an assessment's scope, this one included, to collect evidence")
	f.StringVar(&o.externalID, "collect-external-id", "", "external id given when assuming --collect-role, for trust policies that require sts:ExternalId")
	f.StringSliceVar(&o.regions, "collect-regions", nil, "regions evidence is collected in, comma-separated (default: the AWS configuration's region)")
	f.StringVar(&o.source, "collect-source", "", "where AWS_Config sources read configuration items: inventory (describe and list APIs), config (the types AWS Config records, failing where it records none) or auto (config where a recorder is recording, else inventory) (default $PROBITY_COLLECT_SOURCE, else inventory)")
}

// fromEnv fills the options the flags left unset from the environment:
// PROBITY_COLLECT_SOURCE for --collect-source.
func (o *collectOptions) fromEnv(getenv func(string) string) {
	if o.source == "" {
		o.source = getenv("PROBITY_COLLECT_SOURCE")
	}
}

// configCollector returns the AWS_Config collector, reaching accounts and reading
// items from o's source (validate has checked it).
func (o collectOptions) configCollector(accounts *target.Accounts) *inventory.Collector {
	src, _ := inventory.ParseSource(o.source)
	return &inventory.Collector{Accounts: accounts, Inventory: &inventory.Inventory{Source: src}}
}

// validate returns a usage error naming the first bad option.
func (o collectOptions) validate() error {
	if err := (awsconf.Role{Name: o.role, ExternalID: o.externalID}).Validate(); err != nil {
		return exitWith(ExitUsage, fmt.Errorf("--collect-role/--collect-external-id: %w", err))
	}
	for _, r := range o.regions {
		if err := (awsconf.Options{Region: r}).Validate(); err != nil {
			return exitWith(ExitUsage, fmt.Errorf("--collect-regions: %w", err))
		}
	}
	if _, err := inventory.ParseSource(o.source); err != nil {
		return exitWith(ExitUsage, fmt.Errorf("--collect-source: %w", err))
	}
	return nil
}

// accounts returns how the collectors reach the accounts of a scope: the standard AWS
// configuration chain (loaded on first use), and the role of --collect-role assumed in
// every account.
func (o collectOptions) accounts() *target.Accounts {
	return &target.Accounts{
		Load:    func(ctx context.Context) (aws.Config, error) { return awsconf.Load(ctx, awsconf.Options{}) },
		Role:    awsconf.Role{Name: o.role, ExternalID: o.externalID},
		Regions: o.regions,
	}
}

// newCollections returns the collection service that plans from the assessments of plan
// and appends to l (whose upkeep the runner does daily), counting outcomes in m (nil: not
// counted), its collectors reaching accounts as co says. It returns an error when the collector list is invalid.
func newCollections(plan jobs.Plan, l *evidence.Ledger, m *jobs.Metrics, continuous time.Duration, co collectOptions) (*jobs.Service, error) {
	reg, err := jobs.NewRegistry(builtinCollectors(co, l.Blobs)...)
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
	var assessment, account, snapshot string
	var regions []string
	var continuous time.Duration
	cmd := &cobra.Command{
		Use:   "collect --assessment ID [--account ACCOUNT] | --snapshot FILE --account ID [--region R]...",
		Short: "Collect an assessment's evidence now",
		Long: `Collect the evidence of every automated data source of an ACTIVE assessment now,
one source after another, as the collection jobs of 'probity serve' do: the window of each
source is the current one (the day, week or month of its sourceFrequency, or the last
ended interval of a continuous source), so a collection that a job already made appends
nothing. Prints one line per source and a summary; exits 1 naming the sources that
failed, or when the assessment has nothing to collect.

With --snapshot, writes the inventory of one account (--account; Probity's own or one
reached through --collect-role, assumed there) to FILE instead: {"account": {...}, "items": [CI...]},
the configuration items and account facts the AWS_Config collector evaluates, for
'probity rules eval' to replay offline. With several --region, FILE must contain
{region}, and one file is written per region; the first region holds the global
resources (IAM). Exits 1 when the account cannot be reached or inventoried.`,
		Args: cobra.NoArgs,
	}
	db := dbFlag(cmd, env)
	var blobs blobOptions
	blobsFlag(cmd, env, &blobs)
	var keyFile string
	masterKeyFlag(cmd, &keyFile)
	f := cmd.Flags()
	var co collectOptions
	addCollectFlags(f, &co)
	f.StringVar(&assessment, "assessment", "", "id of the assessment to collect (required)")
	f.StringVar(&account, "account", "", "account that owns the assessment (default: any); with --snapshot, the AWS account to inventory")
	f.DurationVar(&continuous, "continuous-interval", jobs.DefaultContinuousInterval, "window of continuous sources (those without a sourceFrequency)")
	f.StringVar(&snapshot, "snapshot", "", "write the inventory of --account to this file instead of collecting an assessment")
	f.StringArrayVar(&regions, "region", nil, "with --snapshot: a region to inventory (repeatable; default --collect-regions, else the AWS configuration's region)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		co.fromEnv(env.Getenv)
		if err := co.validate(); err != nil {
			return err
		}
		if snapshot != "" {
			if assessment != "" {
				return exitWith(ExitUsage, errors.New("--snapshot and --assessment are exclusive"))
			}
			if len(regions) > 0 {
				co.regions = regions
			}
			return writeSnapshots(cmd.Context(), env, co.configCollector(co.accounts()), account, snapshot)
		}
		if len(regions) > 0 {
			return exitWith(ExitUsage, errors.New("--region goes with --snapshot; collections use --collect-regions"))
		}
		switch {
		case assessment == "":
			return exitWith(ExitUsage, errors.New("--assessment is required"))
		case account != "" && !probity.IsAccountID(account):
			return exitWith(ExitUsage, errors.New("--account must be 12 digits"))
		case continuous <= 0:
			return exitWith(ExitUsage, errors.New("--continuous-interval must be positive"))
		}
		if err := co.validate(); err != nil {
			return err
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
		svc, err := newCollections(&assess.Service{Store: st}, l, nil, continuous, co)
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

// writeSnapshots writes the inventory of account in each of c's regions to file (with
// {region} replaced when there are several), and prints one line per file.
func writeSnapshots(ctx context.Context, env Env, c *inventory.Collector, account, file string) error {
	if !probity.IsAccountID(account) {
		return exitWith(ExitUsage, errors.New("--snapshot needs --account, 12 digits"))
	}
	for _, r := range c.Accounts.Regions {
		if err := (awsconf.Options{Region: r}).Validate(); err != nil {
			return exitWith(ExitUsage, fmt.Errorf("--region: %w", err))
		}
	}
	if len(c.Accounts.Regions) > 1 && !strings.Contains(file, "{region}") {
		return exitWith(ExitUsage, errors.New("with several regions, the --snapshot file name must contain {region}"))
	}
	regions, err := c.RegionList(ctx, account)
	if err != nil {
		return exitWith(ExitInvalid, err)
	}
	for _, region := range regions {
		snap, err := c.Snapshot(ctx, account, region)
		if err != nil {
			return exitWith(ExitInvalid, err)
		}
		name := strings.ReplaceAll(file, "{region}", region)
		if err := writeSnapshotFile(name, snap); err != nil {
			return exitWith(ExitInvalid, err)
		}
		fmt.Fprintf(env.Stdout, "%s: account %s, region %s: %d items", name, account, region, len(snap.Items))
		if len(snap.FromConfig) > 0 {
			fmt.Fprintf(env.Stdout, "; from AWS Config: %s", strings.Join(snap.FromConfig, ","))
		}
		fmt.Fprintln(env.Stdout)
		if len(snap.Skipped) > 0 {
			parts := make([]string, len(snap.Skipped))
			for i, s := range snap.Skipped {
				parts[i] = s.Part
			}
			fmt.Fprintf(env.Stderr, "probity: %s: skipped, their APIs cannot be called here (the snapshot's \"skipped\" says why): %s\n", name, strings.Join(parts, ", "))
		}
	}
	return nil
}

func writeSnapshotFile(name string, snap *inventory.Snapshot) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := snap.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	return f.Close()
}
