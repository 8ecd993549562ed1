package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/console"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/logline"
	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/notify/sns"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/server"
	"github.com/probity-dev/probity/internal/store/cache"
)

// serveOptions are the flags of probity serve.
type serveOptions struct {
	pipeline                                          *pipelineConfig
	db                                                dbSpec
	listen, region, account, masterKeyFile, logFormat string
	catalogAccount                                    string
	blobs                                             blobOptions
	maxBody                                           int64
	maxControls, maxFrameworks                        int
	rateLimit                                         float64
	shutdownTimeout                                   time.Duration
	jobs                                              jobsOptions
	publicURL                                         string
	trustedProxies                                    []string
}

func newServeCmd(env Env) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the AWS Audit Manager API (SigV4) for the control and framework libraries",
		Long: `Serve the AWS Audit Manager API on --listen until SIGINT or SIGTERM, then finish
in-flight requests and exit. Requests are signed with SigV4 by the root key
(PROBITY_ROOT_ACCESS_KEY_ID, PROBITY_ROOT_SECRET_ACCESS_KEY) or a key made with
'probity keys create'. Unless --jobs=false, it also runs the evidence collection
jobs: workers, and a scheduler that enqueues the due collections. GET /healthz and GET /metrics need no signature.
The web console is at /ui/ on the same listener; sign in there with an access key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, env, o) },
	}
	db := dbFlag(cmd, env)
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&o.region, "region", "us-east-1", "region requests are signed for and ARNs carry")
	f.StringVar(&o.account, "account-id", "", "account of the root key (default $PROBITY_ACCOUNT_ID or 000000000000)")
	f.StringVar(&o.catalogAccount, "catalog-account", "", "account whose library the catalog sources are applied to (default the root key's account)")
	masterKeyFlag(cmd, &o.masterKeyFile)
	blobsFlag(cmd, env, &o.blobs)
	f.StringVar(&o.logFormat, "log-format", "text", "access log format on stderr: text or json")
	f.Int64Var(&o.maxBody, "max-body-bytes", amapi.DefaultMaxBodyBytes, "largest request body accepted")
	f.IntVar(&o.maxControls, "max-custom-controls", 0, "most custom controls each account's library may hold (0: no limit)")
	f.IntVar(&o.maxFrameworks, "max-custom-frameworks", 0, "most custom frameworks each account's library may hold (0: no limit)")
	f.Float64Var(&o.rateLimit, "rate-limit", 0, "requests per second allowed to each access key, bursts included (0: no limit)")
	f.DurationVar(&o.shutdownTimeout, "shutdown-timeout", server.DefaultShutdownTimeout, "after SIGINT or SIGTERM, how long in-flight requests and catalog sources get to finish before serve exits anyway")
	f.StringVar(&o.publicURL, "public-url", "", "scheme and host that evidence file upload URLs start with, such as https://probity.example (default: the host the client used)")
	f.StringSliceVar(&o.trustedProxies, "trusted-proxy", envList(env, "PROBITY_TRUSTED_PROXIES"), "reverse proxies (CIDR or address, repeatable or comma-separated) whose X-Forwarded-For names the client for the access log and the console's sign-in throttle (default $PROBITY_TRUSTED_PROXIES; none: the peer is the client)")
	o.pipeline = addPipelineFlags(f)
	addJobsFlags(f, &o.jobs)
	cmd.PreRun = func(*cobra.Command, []string) { o.db = db() }
	return cmd
}

func runServe(cmd *cobra.Command, env Env, o serveOptions) (err error) {
	ctx := cmd.Context()
	if o.logFormat != "text" && o.logFormat != "json" {
		return exitWith(ExitUsage, fmt.Errorf("--log-format must be text or json"))
	}
	account := accountID(o.account, env)
	if !probity.IsAccountID(account) {
		return exitWith(ExitUsage, fmt.Errorf("--account-id must be 12 digits"))
	}
	catalogAccount := cmp.Or(o.catalogAccount, account)
	if !probity.IsAccountID(catalogAccount) {
		return exitWith(ExitUsage, fmt.Errorf("--catalog-account must be 12 digits"))
	}
	if o.shutdownTimeout <= 0 {
		return exitWith(ExitUsage, fmt.Errorf("--shutdown-timeout must be positive"))
	}
	proxies, err := server.ParseProxies(o.trustedProxies)
	if err != nil {
		return exitWith(ExitUsage, fmt.Errorf("--trusted-proxy: %w", err))
	}
	root, err := rootKey(env, account)
	if err != nil {
		return exitWith(ExitUsage, err)
	}
	// Before anything starts (the store, the catalog sources): a taken port is the most
	// common start-up failure, and nothing else should happen when it is.
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return exitWith(ExitUsage, listenError(o.listen, err))
	}
	defer ln.Close()

	// slog's text or JSON lines, byte for byte, with the access log's lines formatted
	// without reflection.
	var handler slog.Handler = logline.NewText(env.Stderr)
	if o.logFormat == "json" {
		handler = logline.NewJSON(env.Stderr)
	}
	log := slog.New(handler)

	db, err := openStore(ctx, o.db)
	if err != nil {
		return asInternal(err)
	}
	defer db.Close()
	// Library reads come from memory while the library's revision stays the same: this
	// process's writes are seen by its next read, another process's within
	// cache.DefaultCheckEvery.
	st := cache.New(db, 0, nil)
	// The standard content shipped in the binary, before anything serves: the first start
	// creates it, later ones (and upgrades that ship the same content) write nothing.
	if sum, err := loadBuiltin(ctx, db, o.region); err != nil {
		return asInternal(err)
	} else if sum.Changed() {
		log.Info("standard content loaded", "summary", sum.String())
	}
	box, err := openBox(env, o.db.URL, o.masterKeyFile)
	if err != nil {
		return exitWith(ExitUsage, err)
	}
	if box == nil {
		log.Warn("no master key (PROBITY_MASTER_KEY or --master-key-file): only the root key can sign requests")
	}
	if root == nil {
		log.Warn("no root key (PROBITY_ROOT_ACCESS_KEY_ID and PROBITY_ROOT_SECRET_ACCESS_KEY): only keys made with 'probity keys create' can sign requests")
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	pctx, stopPipeline := context.WithCancel(ctx)
	defer stopPipeline()
	o.pipeline.fromEnv(env.Getenv)
	o.jobs.collect.fromEnv(env.Getenv)
	if len(o.pipeline.sources) > 0 {
		// A catalog source keeps the catalog's outline and parse cache live between
		// reconciles; without a limit a large catalog's peak is twice that (see
		// catalogMemoryLimit).
		limitMemory()
	}
	pipe, waitPipeline, err := o.pipeline.start(pctx, st, probity.Partition{Region: o.region, AccountID: catalogAccount}, log, reg)
	if err != nil {
		return err
	}
	// Deferred after st.Close, so it runs first: the pipeline stops before the store
	// closes, whether serve ends by a signal or by an error. The wait counts from the
	// signal, alongside the HTTP server's grace, and ends with --shutdown-timeout even
	// when a source ignores its context.
	stopBy := boundAfter(pctx, o.shutdownTimeout)
	defer func() {
		stopPipeline()
		if werr := waitPipeline(stopBy); werr != nil && err == nil {
			err = exitWith(ExitUsage, fmt.Errorf("shutdown: %w", werr))
		}
	}()
	// Delegation events go to the SNS topic of each account's settings, when one is set,
	// with the standard AWS configuration in the topic's region.
	topics := sns.NewPublisher(func(ctx context.Context, region string) (aws.Config, error) {
		return awsconf.Load(ctx, awsconf.Options{Region: region})
	}, notify.DispatchOptions{Logger: log})
	topics.Start(pctx)
	defer func() {
		stopPipeline() // ends pctx, which the publisher runs under
		if werr := topics.Wait(stopBy); werr != nil && err == nil {
			err = exitWith(ExitUsage, fmt.Errorf("shutdown: %w", werr))
		}
	}()
	// Like the pipeline, the jobs stop (running collections get the same grace) before the
	// store closes.
	ledger, err := openLedger(ctx, env, o.db, st, box, o.blobs, log)
	if err != nil {
		return err
	}
	assessments := &assess.Service{Store: st, Region: o.region, Publisher: topics}
	reports := newReports(assessments, ledger, st, box, o.blobs)
	stopJobs, err := startJobs(pctx, o.db, assessments, ledger, reports, o.jobs, log, reg)
	if err != nil {
		return err
	}
	if stopJobs != nil {
		defer func() {
			if serr := stopJobs(stopBy); serr != nil && err == nil {
				err = exitWith(ExitUsage, fmt.Errorf("shutdown: collection jobs: %w", serr))
			}
		}()
	}
	var health func() error
	if pipe != nil {
		health = pipe.Health
	}
	lib := &library.Service{Store: st, Region: o.region, MaxCustomControls: o.maxControls, MaxCustomFrameworks: o.maxFrameworks}
	keyManager := &keys.Manager{Store: st, Box: box, Root: root}
	api, err := amapi.New(amapi.Config{
		Library:      lib,
		Assess:       assessments,
		Keys:         keyManager,
		Logger:       log,
		Registerer:   reg,
		MaxBodyBytes: o.maxBody,
		RateLimit:    o.rateLimit,
		Ledger:       ledger,
		Objects:      o.blobs.objects(),
		UploadSecret: box.Derive("upload-urls"),
		PublicURL:    o.publicURL,
		Reports:      servedReports(reports),
	})
	if err != nil {
		return exitWith(ExitUsage, err)
	}
	// The web console, on the same listener and through the same library, assessments
	// (with the API's evidence ledger, for manual evidence), upload URLs, reports and keys
	// as the API.
	uiCfg := console.Config{
		Library: lib, Assess: api.Assess(), Uploads: api, Keys: keyManager, Logger: log,
		SecureCookie: strings.HasPrefix(o.publicURL, "https://"),
		Reports:      servedReports(reports),
	}
	if pipe != nil {
		uiCfg.Sources = pipe.Status
	}
	ui, err := console.New(uiCfg)
	if err != nil {
		return asInternal(err)
	}
	// Scripts and tests read the bound address (--listen may say port 0) from this line.
	fmt.Fprintf(env.Stderr, "probity: listening on http://%s\n", ln.Addr())
	rt := newRouter(api, health, reg)
	rt.Handle(amapi.UploadPattern, api.Uploads())     // evidence file upload URLs, on the same listener
	rt.Handle(amapi.ReportPattern, api.ReportLinks()) // report links of local destinations, too
	rt.Handle(console.Prefix, ui)                     // the web console, /ui/ and below
	rt.Handle("/ui", ui)                              // which redirects here to /ui/
	srv := &server.Server{Handler: proxies.Handler(rt), Logger: log, ShutdownTimeout: o.shutdownTimeout}
	if err := srv.Serve(ctx, ln); err != nil {
		return exitWith(ExitUsage, err)
	}
	return nil
}

// listenError says plainly why serve cannot listen on addr, above all when the port is
// taken.
func listenError(addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("cannot listen on %s: address already in use (another process holds the port; stop it or choose another --listen address)", addr)
	}
	return fmt.Errorf("cannot listen on %s: %w", addr, err)
}

// boundAfter returns a context that ends d after parent ends: one bound, counted from
// the signal, for everything a shutdown waits for.
func boundAfter(parent context.Context, d time.Duration) context.Context {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	context.AfterFunc(parent, func() { time.AfterFunc(d, cancel) })
	return ctx
}

// rootKey returns the root key from the environment, nil when neither variable is set, or
// an error when only one is.
func rootKey(env Env, account string) (*keys.Root, error) {
	id, sec := env.Getenv("PROBITY_ROOT_ACCESS_KEY_ID"), env.Getenv("PROBITY_ROOT_SECRET_ACCESS_KEY")
	switch {
	case id == "" && sec == "":
		return nil, nil
	case id == "" || sec == "":
		return nil, errors.New("set both PROBITY_ROOT_ACCESS_KEY_ID and PROBITY_ROOT_SECRET_ACCESS_KEY, or neither")
	}
	return &keys.Root{ID: id, Secret: sec, AccountID: account}, nil
}

// accountID returns the flag's account, else PROBITY_ACCOUNT_ID, else the default.
func accountID(flag string, env Env) string {
	switch {
	case flag != "":
		return flag
	case env.Getenv("PROBITY_ACCOUNT_ID") != "":
		return env.Getenv("PROBITY_ACCOUNT_ID")
	}
	return probity.DefaultPartition.AccountID
}

// masterKeyFlag adds --master-key-file.
func masterKeyFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "master-key-file", "", "file holding the 32-byte key that seals access key secrets, made with mode 0600 when missing (default $PROBITY_MASTER_KEY_FILE, or DB.key next to a SQLite library); $PROBITY_MASTER_KEY (base64 or hex) takes precedence")
}

// openBox returns the Box that seals access key secrets under the master key: from
// PROBITY_MASTER_KEY, else the key file (flag, PROBITY_MASTER_KEY_FILE, or PATH.key beside
// a sqlite:PATH library), created when missing. It returns nil and no error when no key is
// configured for a PostgreSQL library.
func openBox(env Env, dbURL, keyFile string) (*secret.Box, error) {
	if keyFile == "" {
		keyFile = env.Getenv("PROBITY_MASTER_KEY_FILE")
	}
	if keyFile == "" && strings.HasPrefix(dbURL, "sqlite:") {
		keyFile = strings.TrimPrefix(dbURL, "sqlite:") + ".key"
	}
	envKey := env.Getenv("PROBITY_MASTER_KEY")
	if envKey == "" && keyFile == "" {
		return nil, nil
	}
	k, err := secret.LoadMasterKey(envKey, keyFile)
	if err != nil {
		return nil, err
	}
	return secret.NewBox(k)
}

// envList returns the comma-separated list in the environment variable key; nil when it
// is unset or empty.
func envList(env Env, key string) []string {
	if v := env.Getenv(key); v != "" {
		return strings.Split(v, ",")
	}
	return nil
}
