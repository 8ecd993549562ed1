// Command evidenceapi measures the evidence reads of the Audit Manager API at scale, as
// users get them: GetEvidenceFoldersByAssessment and GetEvidenceByEvidenceFolder on an
// assessment holding -n evidence (1,000,000 by default), through the real `probity serve`
// binary (built from this tree, started as a child process with --jobs=false and the root
// key), on SQLite and, when PROBITY_TEST_POSTGRES names a server, on a fresh PostgreSQL
// database. The server's RSS is sampled from /proc every 100 ms during every row.
//
//	go run ./bench/evidenceapi -runs 3                          # SQLite, and PostgreSQL when PROBITY_TEST_POSTGRES is set
//	go run ./bench/evidenceapi -db postgres -runs 1 -profile prof   # CPU and allocation profiles of the server
//
// Setup, once per backend: -controls custom controls in a framework of one control set,
// an ACTIVE assessment of it made through internal/assess, then the evidence appended
// with evidence.Ledger.Append as collections append it: one batch per control, data
// source (-sources of them) and day, day after day until -n records. A control's daily
// folder holds sizes[i % len(sizes)] evidence (1,000, 200, 3 x 50, 5 x 20), so that pages
// of 50 and of 1,000 both have folders to fill them; 1,000,000 records make 69 days of
// 100 folders. Then the server starts on the same database.
//
// Each row (operation, maxResults, clients) runs -warmup and then -duration with clients
// that sign every request with SigV4 and send the next when the previous answered:
// GetEvidenceFoldersByAssessment from a random place in the folder list (the first page,
// or a nextToken the listing returned at one of every tenth folder), and
// GetEvidenceByEvidenceFolder the first page of a random folder. Every row is measured
// -runs times; the table gives min / median / max of the rate and of p99, and the median
// p50. With -profile the binary is built with -tags pprof, and the server's CPU profile of
// each row of the first run and its allocation profile at the end go to the directory.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/bench/internal/benchdb"
	"github.com/probity-dev/probity/bench/internal/harness"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

// sizes are the evidence a control's folder holds per day, by control index.
var sizes = []int{1000, 200, 50, 50, 50, 20, 20, 20, 20, 20}

// dataSources name the folders' data sources, one batch each per control and day.
var dataSources = []string{"Config rule", "Security Hub", "AWS API calls", "CloudTrail"}

const (
	opFolders  = "GetEvidenceFoldersByAssessment"
	opEvidence = "GetEvidenceByEvidenceFolder"
)

type options struct {
	n, controls, sources, runs int
	duration, warmup           time.Duration
	clients, pages             []int
	backends                   []string
	profile                    string
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 1_000_000, "evidence records in the assessment")
	flag.IntVar(&o.controls, "controls", 50, "controls of the assessment")
	flag.IntVar(&o.sources, "sources", 2, "data sources per control (at most 4)")
	flag.IntVar(&o.runs, "runs", 3, "runs of every row")
	flag.DurationVar(&o.duration, "duration", 3*time.Second, "measuring time of each row")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured time before each row")
	clientList := flag.String("clients", "1,16", "comma-separated concurrent client counts")
	pageList := flag.String("pages", "50,1000", "comma-separated maxResults")
	backends := flag.String("db", "", "comma-separated backends: sqlite, postgres (default sqlite, and postgres when PROBITY_TEST_POSTGRES is set)")
	flag.StringVar(&o.profile, "profile", "", "directory for CPU and allocation profiles of the servers")
	flag.Parse()
	var err error
	if o.clients, err = counts(*clientList); err != nil {
		log.Fatalf("-clients: %v", err)
	}
	if o.pages, err = counts(*pageList); err != nil {
		log.Fatalf("-pages: %v", err)
	}
	if o.sources < 1 || o.sources > len(dataSources) || o.controls < 1 || o.n < 1 {
		log.Fatalf("-n and -controls must be positive, -sources 1 to %d", len(dataSources))
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

func counts(list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a count", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// row is one measured combination; its results are kept per run.
type row struct {
	backend, op   string
	page, clients int
}

type measured struct {
	harness.Result
	rssFirst, rssPeak int64
}

func run(o options) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tmp, err := os.MkdirTemp("", "probity-bench-evidenceapi-")
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
	host, _ := os.Hostname()
	fmt.Printf("Machine: %s, %d CPUs, %s %s/%s; %d evidence, %d controls x %d data sources; %d runs, each row %s after %s warm-up.\n\n",
		host, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, o.n, o.controls, o.sources, o.runs, o.duration, o.warmup)

	results := map[row][]measured{}
	type rssAt struct{ start, end int64 }
	rss := map[string]rssAt{}
	for _, backend := range o.backends {
		dbURL, drop, err := benchdb.Fresh(ctx, backend, tmp, "bench_evidenceapi")
		if err != nil {
			return err
		}
		defer drop()
		start := time.Now()
		a, err := setup(ctx, dbURL, o)
		if err != nil {
			return fmt.Errorf("setup %s: %w", backend, err)
		}
		log.Printf("%s: %d evidence appended in %s", backend, o.n, time.Since(start).Round(time.Second))
		s, stop, err := harness.Start(ctx, bin, "probity "+backend, dbURL, filepath.Join(tmp, "serve-"+backend+".log"),
			o.profile != "", "--jobs=false")
		if err != nil {
			return err
		}
		defer stop()
		rss[backend] = rssAt{start: harness.RSS(s.Pid)}
		folders, tokens, err := listFolders(s.URL, a.ID)
		if err != nil {
			return fmt.Errorf("%s: %w", backend, err)
		}
		total := 0
		for _, f := range folders {
			total += f.TotalEvidence
		}
		if total != o.n {
			return fmt.Errorf("%s: the API lists %d folders of %d evidence, want %d evidence", backend, len(folders), total, o.n)
		}
		log.Printf("%s: %d folders listed; server RSS %.1f MB", backend, len(folders), float64(rss[backend].start)/1e6)
		for r := range o.runs {
			for _, op := range []string{opEvidence, opFolders} {
				for _, page := range o.pages {
					for _, n := range o.clients {
						k := row{backend, op, page, n}
						next := requests(op, a.ID, page, folders, tokens)
						var prof func() error
						if r == 0 && s.PProf != "" {
							prof = harness.ProfileDuring(s.PProf, o.warmup, o.duration,
								filepath.Join(o.profile, fmt.Sprintf("%s-%s-%d-%d.pprof", backend, op, page, n)))
						}
						watch := harness.WatchRSS(s.Pid, 100*time.Millisecond)
						res, err := harness.Load(s.URL, next, n, o.warmup, o.duration)
						first, peak := watch()
						if err != nil {
							return fmt.Errorf("%s %s maxResults=%d clients=%d: %w", backend, op, page, n, err)
						}
						if prof != nil {
							if err := prof(); err != nil {
								return err
							}
						}
						results[k] = append(results[k], measured{res, first, peak})
						log.Printf("run %d %s %s maxResults=%d clients=%d: %.0f req/s p50 %s p99 %s, RSS %.1f-%.1f MB",
							r+1, backend, op, page, n, res.Rate, harness.Ms(res.P50), harness.Ms(res.P99), float64(first)/1e6, float64(peak)/1e6)
					}
				}
			}
		}
		if s.PProf != "" {
			if err := harness.Save(s.PProf+"/debug/pprof/allocs", filepath.Join(o.profile, backend+"-allocs.pprof")); err != nil {
				return err
			}
		}
		rss[backend] = rssAt{rss[backend].start, harness.RSS(s.Pid)}
		stop()
	}

	fmt.Println("| backend | operation | maxResults | clients | req/s min / median / max | p50 (median) | p99 min / median / max | server RSS peak, min / median / max |")
	fmt.Println("|---|---|---:|---:|---|---:|---|---|")
	mb := func(b int64) float64 { return float64(b) / 1e6 }
	for _, backend := range o.backends {
		for _, op := range []string{opEvidence, opFolders} {
			for _, page := range o.pages {
				for _, n := range o.clients {
					rs := results[row{backend, op, page, n}]
					var rates []float64
					var p50s, p99s []time.Duration
					var peaks []int64
					for _, r := range rs {
						rates, p50s, p99s, peaks = append(rates, r.Rate), append(p50s, r.P50), append(p99s, r.P99), append(peaks, r.rssPeak)
					}
					slices.Sort(rates)
					slices.Sort(p99s)
					slices.Sort(peaks)
					fmt.Printf("| %s | %s | %d | %d | %.0f / %.0f / %.0f | %s | %s / %s / %s | %.1f / %.1f / %.1f MB |\n",
						backend, op, page, n, rates[0], harness.Median(rates), rates[len(rates)-1], harness.Ms(harness.Median(p50s)),
						harness.Ms(p99s[0]), harness.Ms(harness.Median(p99s)), harness.Ms(p99s[len(p99s)-1]),
						mb(peaks[0]), mb(harness.Median(peaks)), mb(peaks[len(peaks)-1]))
				}
			}
		}
	}
	fmt.Println()
	for _, backend := range o.backends {
		fmt.Printf("%s: server RSS %.1f MB after start, %.1f MB after the last row\n", backend, mb(rss[backend].start), mb(rss[backend].end))
	}
	return nil
}

// owner is the assessment's PROCESS_OWNER; the root key, an admin, reads it as well.
var owner = auth.Principal{Name: "bench", AccountID: probity.DefaultPartition.AccountID, Level: auth.Admin,
	ARN: "arn:aws:iam::" + probity.DefaultPartition.AccountID + ":role/Owner"}

// setup makes the library at dbURL: the controls, their framework, an ACTIVE assessment
// of it and o.n evidence in it. It returns the assessment.
func setup(ctx context.Context, dbURL string, o options) (*probity.Assessment, error) {
	st, err := benchdb.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	now := time.Now().UTC()
	account := owner.AccountID
	f := &probity.Framework{ID: probity.NewID(), Type: probity.FrameworkTypeCustom, Name: "Evidence benchmark",
		ComplianceType: "CIS", CreatedAt: now, CreatedBy: "bench", LastUpdatedAt: now, LastUpdatedBy: "bench", AccountID: account}
	f.ARN = probity.DefaultPartition.ARN("assessmentFramework", f.ID)
	set := probity.ControlSet{Name: "Logging and monitoring"}
	var cs []*probity.Control
	for i := range o.controls {
		c := &probity.Control{
			ID: probity.NewID(), Type: probity.ControlTypeCustom, Name: fmt.Sprintf("Benchmark control %03d", i),
			Description: "Buckets keep versions so that deleted objects can be restored.",
			ControlMappingSources: []probity.ControlMappingSource{{
				SourceName: "Config rule", SourceType: probity.SourceTypeConfig, SourceFrequency: "DAILY",
				SourceKeyword: &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: "S3_BUCKET_VERSIONING_ENABLED"},
			}, probity.ManualAttestation()},
			CreatedAt: now, CreatedBy: "bench", LastUpdatedAt: now, LastUpdatedBy: "bench", AccountID: account,
		}
		c.ARN = probity.DefaultPartition.ARN("control", c.ID)
		c.Normalize()
		cs = append(cs, c)
		set.Controls = append(set.Controls, c.ID)
	}
	f.ControlSets = []probity.ControlSet{set}
	f.Normalize()
	if err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
		if err := tx.PutControls(ctx, cs); err != nil {
			return err
		}
		return tx.PutFrameworks(ctx, []*probity.Framework{f})
	}); err != nil {
		return nil, err
	}
	a, err := (&assess.Service{Store: st}).Create(ctx, owner, assess.Input{Name: "Evidence benchmark", FrameworkID: f.ID,
		ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
		Scope:              probity.Scope{Accounts: []probity.AWSAccount{{ID: account}}},
		Roles:              []probity.Role{{Type: probity.RoleProcessOwner, ARN: owner.ARN}}})
	if err != nil {
		return nil, err
	}
	box, err := secret.NewBox(make([]byte, secret.KeySize)) // a benchmark's ledger has nothing to hide
	if err != nil {
		return nil, err
	}
	l := evidence.New(st, box)
	aset := a.ControlSets[0]
	t0 := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	left := o.n
	for day := 0; left > 0; day++ {
		for src := 0; src < o.sources && left > 0; src++ {
			for i := 0; i < len(aset.Controls) && left > 0; i++ {
				c := aset.Controls[i]
				items := make([]probity.Evidence, min(left, sizes[i%len(sizes)]))
				for k := range items {
					seq := o.n - left + k
					items[k] = probity.Evidence{
						ControlSetID: aset.ID, ControlID: c.ID, ControlName: c.Name, DataSource: dataSources[src],
						Time:                 t0.Add(time.Duration(day)*24*time.Hour + time.Duration(k)*time.Second),
						EvidenceAWSAccountID: account, AWSAccountID: account, EventSource: "config.amazonaws.com",
						EvidenceByType: probity.EvidenceTypeComplianceCheck, ComplianceCheck: []string{"COMPLIANT", "NON_COMPLIANT"}[seq%2],
						IAMID: "arn:aws:iam::" + account + ":role/collector",
						ResourcesIncluded: []probity.EvidenceResource{{ARN: "arn:aws:s3:::bucket-" + strconv.Itoa(k),
							ComplianceCheck: []string{"COMPLIANT", "NON_COMPLIANT"}[seq%2]}},
					}
				}
				day0 := t0.Add(time.Duration(day) * 24 * time.Hour)
				if _, err := l.Append(ctx, evidence.Batch{Account: account, AssessmentID: a.ID, Author: "bench",
					Key:   evidence.Key{ControlSetID: aset.ID, ControlID: c.ID, SourceID: dataSources[src], WindowStart: day0, WindowEnd: day0.Add(24 * time.Hour)},
					Items: items}); err != nil {
					return nil, err
				}
				left -= len(items)
			}
		}
	}
	return a, nil
}

// folder is what the benchmark keeps of a listed folder.
type folder struct {
	ID            string `json:"id"`
	ControlSetID  string `json:"controlSetId"`
	TotalEvidence int    `json:"totalEvidence"`
}

// listFolders walks GetEvidenceFoldersByAssessment with pages of 10 and returns every
// folder and the nextToken of every tenth page's end ("" for the first page).
func listFolders(base, assessmentID string) ([]folder, []string, error) {
	var all []folder
	tokens := []string{""}
	tok := ""
	for {
		u := "/assessments/" + assessmentID + "/evidenceFolders?maxResults=10"
		if tok != "" {
			u += "&nextToken=" + url.QueryEscape(tok)
		}
		b, err := harness.Fetch("GET", base+u, nil)
		if err != nil {
			return nil, nil, err
		}
		var page struct {
			EvidenceFolders []folder `json:"evidenceFolders"`
			NextToken       string   `json:"nextToken"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			return nil, nil, fmt.Errorf("GetEvidenceFoldersByAssessment: %w", err)
		}
		all = append(all, page.EvidenceFolders...)
		if tok = page.NextToken; tok == "" {
			return all, tokens, nil
		}
		tokens = append(tokens, tok)
	}
}

// requests returns the requests of a row: GetEvidenceFoldersByAssessment from a random
// token, or the first page of GetEvidenceByEvidenceFolder of a random folder.
func requests(op, assessmentID string, page int, folders []folder, tokens []string) harness.RequestFunc {
	maxResults := "maxResults=" + strconv.Itoa(page)
	if op == opFolders {
		paths := make([]string, len(tokens))
		for i, t := range tokens {
			paths[i] = "/assessments/" + assessmentID + "/evidenceFolders?" + maxResults
			if t != "" {
				paths[i] += "&nextToken=" + url.QueryEscape(t)
			}
		}
		return func(int) (string, string, []byte) { return "GET", paths[rand.IntN(len(paths))], nil }
	}
	paths := make([]string, len(folders))
	for i, f := range folders {
		paths[i] = "/assessments/" + assessmentID + "/controlSets/" + f.ControlSetID + "/evidenceFolders/" + f.ID + "/evidence?" + maxResults
	}
	return func(int) (string, string, []byte) { return "GET", paths[rand.IntN(len(paths))], nil }
}
