// Command api measures the Audit Manager API over loopback: GetControl and ListControls
// throughput and p50/p99 latency with 1, 16 and 64 concurrent SigV4-signing clients,
// against `probity serve`'s handler on a SQLite library (or, with -db postgres, a fresh
// database on the server PROBITY_TEST_POSTGRES names) and, in the same run, against a
// bare net/http handler that returns the same bytes (the ceiling on this machine).
//
//	go run ./bench/api -duration 5s
//	PROBITY_TEST_POSTGRES=postgres://... go run ./bench/api -db postgres -clients 1,16,64,256
//	go run ./bench/api -clients 16 -ops CreateControl,UpdateControl   # writes
//
// It prints a Markdown table for docs/benchmarks.md. Everything runs in this process on
// 127.0.0.1, so clients and server share the machine's cores, as they would on one host.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/jackc/pgx/v5"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/server"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

const keyID, keySecret = "PRBBENCHROOT00000001", "bench-secret-bench-secret-bench-secret00"

func main() {
	duration := flag.Duration("duration", 5*time.Second, "measuring time of each row")
	warmup := flag.Duration("warmup", time.Second, "unmeasured time before each row")
	clientList := flag.String("clients", "1,16,64", "comma-separated concurrent client counts")
	controls := flag.Int("controls", 200, "custom controls in the library")
	pageSize := flag.Int("page", 10, "maxResults of ListControls")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	backend := flag.String("db", "sqlite", "library backend: sqlite (a temp file) or postgres (a fresh database on $PROBITY_TEST_POSTGRES)")
	opList := flag.String("ops", "GetControl,ListControls", "comma-separated operations: GetControl, ListControls, CreateControl (a new name each request), UpdateControl (each client rewrites a control of its own)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*backend, *duration, *warmup, *clientList, *opList, *controls, *pageSize); err != nil {
		log.Print(err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(backend string, duration, warmup time.Duration, clientList, opList string, controls, pageSize int) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, sessions, closeStore, err := openStore(ctx, backend)
	if err != nil {
		return err
	}
	defer closeStore()
	ids, err := seed(ctx, st, controls)
	if err != nil {
		return err
	}
	first := ids[0]
	api, err := amapi.New(amapi.Config{
		Library: &library.Service{Store: st},
		Keys:    &keys.Manager{Root: &keys.Root{ID: keyID, Secret: keySecret, AccountID: probity.DefaultPartition.AccountID}},
		// Access logs are formatted as in production, then dropped.
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return err
	}
	apiURL, err := listen(ctx, api)
	if err != nil {
		return err
	}
	reqs := map[string]requestFunc{
		"GetControl":   get("/controls/" + first),
		"ListControls": get("/controls?controlType=Custom&maxResults=" + strconv.Itoa(pageSize)),
		"CreateControl": func(client, seq int) (string, string, []byte) {
			return "POST", "/controls", controlBody(fmt.Sprintf("Created by client %d, request %d", client, seq), true)
		},
		"UpdateControl": func(client, seq int) (string, string, []byte) {
			// Each client rewrites a control of its own, keeping its name.
			return "PUT", "/controls/" + ids[client%len(ids)], controlBody(fmt.Sprintf("Benchmark control %04d", client%len(ids)), false)
		},
	}
	ops := strings.Split(opList, ",")
	for i, op := range ops {
		ops[i] = strings.TrimSpace(op)
		if reqs[ops[i]] == nil {
			return fmt.Errorf("-ops: %q is not one of GetControl, ListControls, CreateControl, UpdateControl", op)
		}
	}
	// The bare handler answers each operation with the bytes and headers the API gave.
	bodies := map[string][]byte{}
	for _, op := range ops {
		method, p, body := reqs[op](1<<20, 0)
		b, err := fetch(method, apiURL+p, body)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		bodies[bareKey(method, p)] = b
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		b := bodies[bareKey(r.Method, r.URL.RequestURI())]
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Header().Set("X-Amzn-Requestid", probity.NewID())
		w.Write(b)
	})
	bareURL, err := listen(ctx, bare)
	if err != nil {
		return err
	}

	host, _ := os.Hostname()
	fmt.Printf("Machine: %s, %d CPUs (GOMAXPROCS %d), %s %s/%s; %s library of %d custom controls; ListControls maxResults=%d; %s per row after %s warm-up.\n\n",
		host, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH, backend, controls, pageSize, duration, warmup)
	before := sessions()
	fmt.Println("| operation | clients | probity req/s | p50 | p99 | bare req/s | bare p50 | bare p99 | probity / bare |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, op := range ops {
		for _, f := range strings.Split(clientList, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				return fmt.Errorf("-clients: %q is not a count", f)
			}
			p, err := load(apiURL, reqs[op], n, warmup, duration)
			if err != nil {
				return fmt.Errorf("%s probity: %w", op, err)
			}
			b, err := load(bareURL, reqs[op], n, warmup, duration)
			if err != nil {
				return fmt.Errorf("%s bare: %w", op, err)
			}
			fmt.Printf("| %s | %d | %.0f | %s | %s | %.0f | %s | %s | %.0f%% |\n", op, n,
				p.rate, ms(p.p50), ms(p.p99), b.rate, ms(b.p50), ms(b.p99), 100*p.rate/b.rate)
		}
	}
	if n := sessions(); n >= 0 {
		fmt.Printf("\nPostgreSQL sessions opened during the rows: %d\n", n-before)
	}
	return nil
}

// openStore opens an empty library on the backend. sessions counts the database
// sessions opened so far (-1 when the backend has none); closeStore closes the store and
// removes the library.
func openStore(ctx context.Context, backend string) (st store.Store, sessions func() int64, closeStore func(), err error) {
	switch backend {
	case "sqlite":
		dir, err := os.MkdirTemp("", "probity-bench-")
		if err != nil {
			return nil, nil, nil, err
		}
		st, err := sqlite.Open(ctx, filepath.Join(dir, "probity.db"))
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, nil, err
		}
		return st, func() int64 { return -1 }, func() { st.Close(); os.RemoveAll(dir) }, nil
	case "postgres":
		base := os.Getenv("PROBITY_TEST_POSTGRES")
		if base == "" {
			return nil, nil, nil, fmt.Errorf("-db postgres: set PROBITY_TEST_POSTGRES to a server where this user may create databases")
		}
		u, err := url.Parse(base)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("PROBITY_TEST_POSTGRES: %w", err)
		}
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			return nil, nil, nil, err
		}
		var b [6]byte
		_, _ = rand.Read(b[:])
		name := "bench_api_" + hex.EncodeToString(b[:])
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			admin.Close(ctx)
			return nil, nil, nil, err
		}
		drop := func() {
			_, _ = admin.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
			admin.Close(context.Background())
		}
		u.Path = "/" + name
		st, err := postgres.Open(ctx, u.String())
		if err != nil {
			drop()
			return nil, nil, nil, err
		}
		sessions := func() int64 {
			var n int64
			_, _ = admin.Exec(ctx, "SELECT pg_stat_clear_snapshot()")
			if err := admin.QueryRow(ctx, "SELECT sessions FROM pg_stat_database WHERE datname = $1", name).Scan(&n); err != nil {
				return -1
			}
			return n
		}
		return st, sessions, func() { st.Close(); drop() }, nil
	}
	return nil, nil, nil, fmt.Errorf("-db must be sqlite or postgres")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// seed fills the library with custom controls and returns their ids.
func seed(ctx context.Context, st store.Store, n int) ([]string, error) {
	now := time.Now()
	cs := make([]*probity.Control, 0, n)
	for i := range n {
		c := &probity.Control{
			ID: probity.NewID(), Type: probity.ControlTypeCustom, Name: fmt.Sprintf("Benchmark control %04d", i),
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
	err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutControls(ctx, cs) })
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids, err
}

// requestFunc returns the method, path and body of a client's seq-th request.
type requestFunc func(client, seq int) (method, path string, body []byte)

func get(path string) requestFunc {
	return func(int, int) (string, string, []byte) { return "GET", path, nil }
}

// bareKey is what the bare handler answers by: the path for reads, the method for writes.
func bareKey(method, path string) string {
	if method == "GET" {
		return path
	}
	return method
}

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

// listen serves h on a loopback port until ctx ends and returns its base URL.
func listen(ctx context.Context, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go (&server.Server{Handler: h}).Serve(ctx, ln)
	return "http://" + ln.Addr().String(), nil
}

// signed returns a request for url with body, signed with the benchmark key.
func signed(signer *v4.Signer, method, url string, body []byte) (*http.Request, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(body)
	err = signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: keySecret},
		req, hex.EncodeToString(sum[:]), "auditmanager", "us-east-1", time.Now())
	return req, err
}

func fetch(method, url string, body []byte) ([]byte, error) {
	req, err := signed(v4.NewSigner(), method, url, body)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return b, err
}

type result struct {
	rate     float64
	p50, p99 time.Duration
}

// load runs n clients, each signing and sending the requests of next to base one after
// another, for warmup and then duration, and returns the rate and latency percentiles of
// the measured part.
func load(base string, next requestFunc, n int, warmup, duration time.Duration) (result, error) {
	tr := &http.Transport{MaxIdleConns: n, MaxIdleConnsPerHost: n, MaxConnsPerHost: n}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	start := time.Now()
	measureFrom, stop := start.Add(warmup), start.Add(warmup+duration)
	var mu sync.Mutex
	var all []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	for client := range n {
		wg.Go(func() {
			signer := v4.NewSigner()
			seq := 0
			lat := make([]time.Duration, 0, 1<<14)
			var buf bytes.Buffer
			for {
				t0 := time.Now()
				if t0.After(stop) {
					break
				}
				method, path, body := next(client, seq)
				seq++
				req, err := signed(signer, method, base+path, body)
				if err == nil {
					var resp *http.Response
					resp, err = hc.Do(req)
					if err == nil {
						buf.Reset()
						_, err = buf.ReadFrom(resp.Body)
						resp.Body.Close()
						if err == nil && resp.StatusCode != 200 {
							err = fmt.Errorf("status %d: %s", resp.StatusCode, buf.Bytes())
						}
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, err)
					mu.Unlock()
					return
				}
				if t0.After(measureFrom) {
					lat = append(lat, time.Since(t0))
				}
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if firstErr != nil {
		return result{}, firstErr
	}
	slices.Sort(all)
	if len(all) == 0 {
		return result{}, fmt.Errorf("no request completed")
	}
	pct := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	return result{rate: float64(len(all)) / duration.Seconds(), p50: pct(.50), p99: pct(.99)}, nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
