// Command api measures the Audit Manager API as users get it: the real `probity serve`
// binary, built from this tree and started as a child process with its default logging
// (the text access log on stderr, here into a file), on a SQLite library and, when
// PROBITY_TEST_POSTGRES names a server, on a fresh PostgreSQL database. In the same run a
// bare net/http server, in a child process of its own, answers the same paths with the
// same bytes: the ceiling of this machine for this client.
//
// Clients sign every request with SigV4 (aws-sdk-go-v2's signer) and send the next when
// the previous answered; they run in this process and share the machine's cores with the
// servers, as they would on one host. Every row (operation, clients, server) is measured
// -runs times, the servers taking turns within each run; the table gives min / median /
// max of the rate, the median p50 and p99, and the median over runs of the rate as a
// share of the bare server's in the same run.
//
//	go run ./bench/api -runs 3 -duration 3s
//	PROBITY_TEST_POSTGRES=postgres://... go run ./bench/api -clients 1,16,64
//	go run ./bench/api -runs 1 -profile prof   # CPU and allocation profiles of each server
//	go run ./bench/api -clients 16 -ops CreateControl,UpdateControl   # writes
//
// -ops chooses the operations: GetControl and ListControls read; CreateControl creates a
// control of a new name with every request; UpdateControl has each client rewrite a
// control of its own (client i the i-th seeded one, modulo -controls), keeping its name.
// The bare server answers reads by path and writes by method, with the bytes the first
// probity server gave to the same request.
//
// With -profile the binary is built with -tags pprof and each probity server's CPU
// profile of every measured row of the first run, and its allocation profile at the end,
// are written to the directory (read them with go tool pprof).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/bench/internal/benchdb"
	"github.com/probity-dev/probity/bench/internal/harness"
	"github.com/probity-dev/probity/internal/store"
)

// bareEnv, when set in a child's environment, makes it the bare server: it serves the
// bodies in the JSON file the variable names and prints its address on stdout.
const bareEnv = "PROBITY_BENCH_BARE"

func main() {
	if f := os.Getenv(bareEnv); f != "" {
		if err := serveBare(f); err != nil {
			log.Fatal(err)
		}
		return
	}
	var o options
	flag.DurationVar(&o.duration, "duration", 3*time.Second, "measuring time of each row")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured time before each row")
	clientList := flag.String("clients", "1,16,64", "comma-separated concurrent client counts")
	flag.IntVar(&o.runs, "runs", 3, "runs of every row")
	flag.IntVar(&o.controls, "controls", 200, "custom controls in the library")
	flag.IntVar(&o.pageSize, "page", 10, "maxResults of ListControls")
	backends := flag.String("db", "", "comma-separated backends: sqlite, postgres (default sqlite, and postgres when PROBITY_TEST_POSTGRES is set)")
	flag.StringVar(&o.profile, "profile", "", "directory for CPU and allocation profiles of the probity servers")
	opList := flag.String("ops", "GetControl,ListControls", "comma-separated operations: GetControl, ListControls, CreateControl, UpdateControl")
	flag.Parse()
	for _, op := range strings.Split(*opList, ",") {
		op = strings.TrimSpace(op)
		if !slices.Contains(operations, op) {
			log.Fatalf("-ops: %q is not one of %s", op, strings.Join(operations, ", "))
		}
		o.ops = append(o.ops, op)
	}
	for _, f := range strings.Split(*clientList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			log.Fatalf("-clients: %q is not a count", f)
		}
		o.clients = append(o.clients, n)
	}
	o.backends = []string{"sqlite"}
	if os.Getenv("PROBITY_TEST_POSTGRES") != "" {
		o.backends = append(o.backends, "postgres")
	}
	if *backends != "" {
		o.backends = strings.Split(*backends, ",")
	}
	if err := run(o); err != nil {
		log.Fatal(err)
	}
}

type options struct {
	duration, warmup         time.Duration
	clients                  []int
	runs, controls, pageSize int
	backends, ops            []string
	profile                  string
}

// target is one server under measure.
type target struct {
	name  string
	url   string   // base URL
	ids   []string // the seeded controls: GetControl asks for the first, UpdateControl rewrites them
	pprof string   // base URL of its profiles, when built with them
}

// operations are the operations -ops may name.
var operations = []string{"GetControl", "ListControls", "CreateControl", "UpdateControl"}

// created numbers the controls CreateControl creates, so that every name is new.
var created atomic.Int64

// request returns the requests of op to t.
func request(op string, t target, pageSize int) harness.RequestFunc {
	switch op {
	case "GetControl":
		return func(int) (string, string, []byte) { return "GET", "/controls/" + t.ids[0], nil }
	case "ListControls":
		return func(int) (string, string, []byte) {
			return "GET", "/controls?controlType=Custom&maxResults=" + strconv.Itoa(pageSize), nil
		}
	case "CreateControl":
		return func(int) (string, string, []byte) {
			return "POST", "/controls", controlBody(fmt.Sprintf("Created control %08d", created.Add(1)), true)
		}
	}
	return func(client int) (string, string, []byte) {
		i := client % len(t.ids)
		return "PUT", "/controls/" + t.ids[i], controlBody(controlName(i), false)
	}
}

// controlName is the name of the i-th seeded control.
func controlName(i int) string { return fmt.Sprintf("Benchmark control %04d", i) }

// controlBody is a CreateControl or UpdateControl request body.
func controlBody(name string, tags bool) []byte {
	b := `{"name":` + strconv.Quote(name) + `,"description":"Buckets keep versions so that deleted objects can be restored.",` +
		`"controlMappingSources":[{"sourceName":"Config rule","sourceSetUpOption":"System_Controls_Mapping","sourceType":"AWS_Config",` +
		`"sourceFrequency":"DAILY","sourceKeyword":{"keywordInputType":"SELECT_FROM_LIST","keywordValue":"S3_BUCKET_VERSIONING_ENABLED"}},` +
		`{"sourceName":"Attestation","sourceSetUpOption":"Procedural_Controls_Mapping","sourceType":"MANUAL"}]`
	if tags {
		b += `,"tags":{"Owner":"security"}`
	}
	return []byte(b + "}")
}

// bareKey is what the bare server answers by: the path for reads, the method for writes.
func bareKey(method, path string) string {
	if method == "GET" {
		return path
	}
	return method
}

func run(o options) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tmp, err := os.MkdirTemp("", "probity-bench-api-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
	}
	bin, err := harness.Build(tmp, o.profile != "")
	if err != nil {
		return err
	}

	var targets []target
	for _, backend := range o.backends {
		dbURL, drop, err := benchdb.Fresh(ctx, backend, tmp, "bench_api")
		if err != nil {
			return err
		}
		defer drop()
		ids, err := seed(ctx, dbURL, o.controls)
		if err != nil {
			return fmt.Errorf("seed %s: %w", backend, err)
		}
		s, stop, err := harness.Start(ctx, bin, "probity "+backend, dbURL, filepath.Join(tmp, "serve-"+backend+".log"), o.profile != "")
		if err != nil {
			return err
		}
		defer stop()
		targets = append(targets, target{name: s.Name, url: s.URL, ids: ids, pprof: s.PProf})
	}
	// The bare server answers each operation with the bytes the first probity server gave
	// to the same request (the ids differ between libraries; the sizes do not). The
	// clients send it the first library's ids, so their requests are the same size too.
	bare := target{name: "bare net/http", ids: targets[0].ids}
	bodies := map[string][]byte{}
	for _, op := range o.ops {
		method, path, body := request(op, targets[0], o.pageSize)(0)
		b, err := harness.Fetch(method, targets[0].url+path, body)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		bodies[bareKey(method, path)] = b
	}
	bare, stopBare, err := startBare(ctx, tmp, bare, bodies)
	if err != nil {
		return err
	}
	defer stopBare()

	host, _ := os.Hostname()
	fmt.Printf("Machine: %s, %d CPUs, %s %s/%s; library of %d custom controls; ListControls maxResults=%d; "+
		"%d runs, each row %s after %s warm-up.\n\n", host, runtime.NumCPU(), runtime.Version(), runtime.GOOS,
		runtime.GOARCH, o.controls, o.pageSize, o.runs, o.duration, o.warmup)

	type key struct {
		op      string
		clients int
		server  string
	}
	results := map[key][]harness.Result{}
	all := append(slices.Clone(targets), bare)
	for run := range o.runs {
		for _, op := range o.ops {
			for _, n := range o.clients {
				for _, t := range all {
					var prof func() error
					if run == 0 && t.pprof != "" {
						prof = harness.ProfileDuring(t.pprof, o.warmup, o.duration, filepath.Join(o.profile,
							strings.ReplaceAll(fmt.Sprintf("%s-%s-%d", t.name, op, n), " ", "-")+".pprof"))
					}
					r, err := harness.Load(t.url, request(op, t, o.pageSize), n, o.warmup, o.duration)
					if err != nil {
						return fmt.Errorf("%s %s %d: %w", t.name, op, n, err)
					}
					if prof != nil {
						if err := prof(); err != nil {
							return err
						}
					}
					results[key{op, n, t.name}] = append(results[key{op, n, t.name}], r)
				}
			}
		}
	}
	for _, t := range targets {
		if t.pprof != "" {
			if err := harness.Save(t.pprof+"/debug/pprof/allocs", filepath.Join(o.profile, t.name+"-allocs.pprof")); err != nil {
				return err
			}
		}
	}

	fmt.Println("| operation | clients | server | req/s min / median / max | p50 | p99 | % of bare |")
	fmt.Println("|---|---:|---|---|---:|---:|---:|")
	for _, op := range o.ops {
		for _, n := range o.clients {
			bareRuns := results[key{op, n, bare.name}]
			for _, t := range all {
				rs := results[key{op, n, t.name}]
				rates := make([]float64, len(rs))
				ratios := make([]float64, len(rs))
				var p50s, p99s []time.Duration
				for i, r := range rs {
					rates[i], ratios[i] = r.Rate, 100*r.Rate/bareRuns[i].Rate
					p50s, p99s = append(p50s, r.P50), append(p99s, r.P99)
				}
				share := fmt.Sprintf("%.0f%%", harness.Median(ratios))
				if t.name == bare.name {
					share = ""
				}
				slices.Sort(rates)
				fmt.Printf("| %s | %d | %s | %.0f / %.0f / %.0f | %s | %s | %s |\n", op, n, t.name,
					rates[0], harness.Median(rates), rates[len(rates)-1], harness.Ms(harness.Median(p50s)), harness.Ms(harness.Median(p99s)), share)
			}
		}
	}
	return nil
}

// seed fills the library at dbURL (as benchdb.Fresh returned it) with n custom controls
// of the default account, the i-th named controlName(i), and returns their ids in that
// order.
func seed(ctx context.Context, dbURL string, n int) ([]string, error) {
	st, err := benchdb.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	now := time.Now()
	cs := make([]*probity.Control, 0, n)
	for i := range n {
		c := &probity.Control{
			ID: probity.NewID(), Type: probity.ControlTypeCustom, Name: controlName(i),
			Description: "Buckets keep versions so that deleted objects can be restored.",
			ControlMappingSources: []probity.ControlMappingSource{{
				SourceName: "Config rule", SourceType: probity.SourceTypeConfig, SourceFrequency: "DAILY",
				SourceKeyword: &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: "S3_BUCKET_VERSIONING_ENABLED"},
			}, probity.ManualAttestation()},
			Tags:      map[string]string{"Owner": "security"},
			CreatedAt: now.Add(time.Duration(i) * time.Millisecond), CreatedBy: "bench",
			LastUpdatedAt: now, LastUpdatedBy: "bench",
		}
		c.ARN, c.AccountID = probity.DefaultPartition.ARN("control", c.ID), probity.DefaultPartition.AccountID
		c.Normalize()
		cs = append(cs, c)
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids, st.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutControls(ctx, cs) })
}

// startBare starts this program again as the bare server of bodies.
func startBare(ctx context.Context, tmp string, t target, bodies map[string][]byte) (target, func(), error) {
	f := filepath.Join(tmp, "bodies.json")
	b, _ := json.Marshal(bodies)
	if err := os.WriteFile(f, b, 0o600); err != nil {
		return t, nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return t, nil, err
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), bareEnv+"="+f)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return t, nil, err
	}
	if err := cmd.Start(); err != nil {
		return t, nil, err
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return t, nil, fmt.Errorf("bare server: %w", err)
	}
	t.url = strings.TrimSpace(line)
	return t, stop, nil
}

// serveBare is the bare server: each read path and write method (bareKey) answers its
// body with the headers the API gives, nothing else (no signature check, no log).
func serveBare(file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var bodies map[string][]byte
	if err := json.Unmarshal(b, &bodies); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println("http://" + ln.Addr().String())
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		b := bodies[bareKey(r.Method, r.URL.RequestURI())]
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Header().Set("X-Amzn-Requestid", probity.NewID())
		w.Write(b)
	}))
}
