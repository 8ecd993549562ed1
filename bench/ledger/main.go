// Command ledger measures the evidence ledger (internal/evidence) on SQLite (a temp file)
// or PostgreSQL (-db postgres: a fresh database on the server PROBITY_TEST_POSTGRES names):
// ingest of hashed, chained evidence in batches; bytes stored per record; the reads behind
// GetEvidenceByEvidenceFolder and GetEvidenceFoldersByAssessment at that size; and
// `probity evidence verify` of the whole chain, run as a child process (wall time, peak
// RSS). With -kill N it instead kills a child process with SIGKILL during the append of
// a large batch N times, then retries the batch and verifies the ledger after each.
//
//	go run ./bench/ledger -n 1000000 -runs 3
//	PROBITY_TEST_POSTGRES=postgres://... go run ./bench/ledger -db postgres -n 1000000 -runs 3
//	go run ./bench/ledger -kill 20 [-db postgres]
package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/bench/internal/benchdb"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

const (
	account    = "111122223333"
	assessment = "bbbbbbbb-0000-4000-8000-000000000001"
)

var profile string

var masterKey = make([]byte, 32) // zero key: a benchmark's ledger has nothing to hide

func main() {
	backend := flag.String("db", "sqlite", "sqlite or postgres")
	n := flag.Int("n", 1_000_000, "evidence records to ingest")
	batchSize := flag.Int("batch", 1000, "records per batch")
	runs := flag.Int("runs", 3, "runs, each on a fresh database")
	reads := flag.Int("reads", 2000, "timed reads of each kind")
	kill := flag.Int("kill", 0, "run this many kill -9 trials instead of measuring")
	killBatch := flag.Int("kill-batch", 50_000, "records in the batch a kill trial interrupts")
	child := flag.String("child", "", "internal: append the kill trial's batch to this database URL")
	trial := flag.Int("trial", 0, "internal: the kill trial's number")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the ingest to this file")
	flag.Parse()
	ctx := context.Background()
	profile = *cpuProfile
	if *child != "" {
		if err := runChild(ctx, *child, *trial, *killBatch); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *kill > 0 {
		if err := killTrials(ctx, *backend, *kill, *killBatch); err != nil {
			log.Fatal(err)
		}
		return
	}
	bin, err := buildProbity()
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(filepath.Dir(bin))
	var results []result
	for i := range *runs {
		r, err := measure(ctx, *backend, bin, *n, *batchSize, *reads)
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("run %d: %+v", i+1, r)
		results = append(results, r)
	}
	report(*backend, *n, results)
}

type result struct {
	ingestPerSec                      float64
	bytesPerRecord                    float64
	folderP50, folderP99              time.Duration
	foldersP50, foldersP99            time.Duration
	verify                            time.Duration
	verifyRSS, ingestRSS0, ingestRSS1 int64
}

// items returns batch number b of n records, as one collection makes them: one control, one
// data source, one day (50 controls, 2 data sources, 10 days: 1,000 folders).
func items(b, n int) []probity.Evidence {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	out := make([]probity.Evidence, n)
	for k := range out {
		i := b*n + k
		out[k] = probity.Evidence{
			ControlSetID: "cs-1", ControlID: fmt.Sprintf("control-%02d", b%50), ControlName: "Control",
			DataSource: []string{"Config rule", "Security Hub"}[b/50%2], Time: t0.Add(time.Duration(b/100%10)*24*time.Hour + time.Duration(k)*time.Second),
			EvidenceAWSAccountID: account, AWSAccountID: account, EventSource: "config.amazonaws.com",
			EvidenceByType: probity.EvidenceTypeComplianceCheck, ComplianceCheck: []string{"COMPLIANT", "NON_COMPLIANT"}[i%2],
			IAMID:             "arn:aws:iam::111122223333:role/collector",
			ResourcesIncluded: []probity.EvidenceResource{{ARN: "arn:aws:s3:::bucket-" + strconv.Itoa(i), ComplianceCheck: "COMPLIANT"}},
		}
	}
	return out
}

func batch(i int, its []probity.Evidence) evidence.Batch {
	return evidence.Batch{Account: account, AssessmentID: assessment, Author: "bench",
		Key:   evidence.Key{ControlSetID: "cs-1", ControlID: "all", SourceID: "bench", Resource: strconv.Itoa(i)},
		Items: its}
}

func ledger(st store.Store) *evidence.Ledger {
	box, err := secret.NewBox(masterKey)
	if err != nil {
		panic(err)
	}
	return evidence.New(st, box)
}

func measure(ctx context.Context, backend, bin string, n, size, reads int) (result, error) {
	var r result
	dbURL, done, err := benchdb.Fresh(ctx, backend, "", "bench_ledger")
	if err != nil {
		return r, err
	}
	defer done()
	st, err := benchdb.Open(ctx, dbURL)
	if err != nil {
		return r, err
	}
	defer st.Close()
	l := ledger(st)
	r.ingestRSS0 = rss()
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return r, err
		}
		_ = pprof.StartCPUProfile(f)
		defer f.Close()
	}
	// Only the appends are timed: making the batches is the collectors' work.
	var took time.Duration
	for i := 0; i*size < n; i++ {
		b := batch(i, items(i, min(size, n-i*size)))
		start := time.Now()
		if _, err := l.Append(ctx, b); err != nil {
			return r, err
		}
		took += time.Since(start)
		r.ingestRSS1 = max(r.ingestRSS1, rss())
	}
	r.ingestPerSec = float64(n) / took.Seconds()
	pprof.StopCPUProfile()

	// GetEvidenceByEvidenceFolder: a page of 100 at a random place in a random folder.
	folders, err := st.EvidenceFolders(ctx, store.FolderPage{AccountID: account, AssessmentID: assessment, Limit: 1000})
	if err != nil {
		return r, err
	}
	var lat []time.Duration
	for range reads {
		f := folders[mrand.IntN(len(folders))]
		first, err := st.EvidenceByFolder(ctx, store.EvidencePage{AccountID: account, AssessmentID: assessment, FolderID: f.ID, Limit: 1})
		if err != nil || len(first) == 0 {
			return r, fmt.Errorf("folder %s: %v", f.ID, err)
		}
		t := time.Now()
		page, err := st.EvidenceByFolder(ctx, store.EvidencePage{AccountID: account, AssessmentID: assessment, FolderID: f.ID,
			After: first[0].Sequence - 1 + int64(mrand.IntN(f.TotalEvidence)), Limit: 100})
		if err != nil || len(page) == 0 {
			return r, fmt.Errorf("folder %s: %d evidence, %v", f.ID, len(page), err)
		}
		lat = append(lat, time.Since(t))
	}
	r.folderP50, r.folderP99 = pct(lat, 50), pct(lat, 99)
	// GetEvidenceFoldersByAssessment: a page of 100 folders at a random place.
	lat = lat[:0]
	for range reads {
		f := folders[mrand.IntN(len(folders))]
		t := time.Now()
		if _, err := st.EvidenceFolders(ctx, store.FolderPage{AccountID: account, AssessmentID: assessment,
			After: store.FolderCursor{Date: f.Date, ID: f.ID}, Limit: 100}); err != nil {
			return r, err
		}
		lat = append(lat, time.Since(t))
	}
	r.foldersP50, r.foldersP99 = pct(lat, 50), pct(lat, 99)
	if r.bytesPerRecord, err = bytesPerRecord(ctx, st, dbURL, n); err != nil {
		return r, err
	}
	st.Close()

	cmd := exec.Command(bin, "evidence", "verify", "--db", dbURL, "--assessment", assessment)
	cmd.Env = append(os.Environ(), "PROBITY_MASTER_KEY="+hex.EncodeToString(masterKey))
	cmd.Stderr = os.Stderr
	var out strings.Builder
	cmd.Stdout = &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	// The child's peak RSS, sampled: its rusage would count the memory of this process,
	// from which it was forked.
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for waiting := true; waiting; {
		select {
		case err = <-exited:
			waiting = false
		case <-tick.C:
			r.verifyRSS = max(r.verifyRSS, rssOf(strconv.Itoa(cmd.Process.Pid)))
		}
	}
	r.verify = time.Since(start)
	if err != nil {
		return r, fmt.Errorf("verify: %v: %s", err, out.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("%d record(s)", n)) {
		return r, fmt.Errorf("verify checked other than %d records: %s", n, out.String())
	}
	return r, nil
}

func bytesPerRecord(ctx context.Context, st store.Store, dbURL string, n int) (float64, error) {
	if p, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		st.Close() // checkpoints the WAL into the file
		var total int64
		for _, f := range []string{p, p + "-wal"} {
			if fi, err := os.Stat(f); err == nil {
				total += fi.Size()
			}
		}
		return float64(total) / float64(n), nil
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var total int64
	err = conn.QueryRow(ctx, `SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
		WHERE c.relkind = 'r' AND c.relname LIKE 'evidence%'`).Scan(&total)
	return float64(total) / float64(n), err
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

// rss returns this process's resident set size in bytes.
func rss() int64 { return rssOf("self") }

// rssOf returns the resident set size of the process in bytes, -1 when unknown.
func rssOf(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return -1
}

func buildProbity() (string, error) {
	dir, err := os.MkdirTemp("", "probity-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "probity")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/probity")
	cmd.Stderr = os.Stderr
	return bin, cmd.Run()
}

func report(backend string, n int, rs []result) {
	row := func(name string, f func(result) float64, unit string) {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		fmt.Printf("| %s | %s | %.1f %s | %.1f %s | %.1f %s |\n", backend, name, v[0], unit, v[len(v)/2], unit, v[len(v)-1], unit)
	}
	fmt.Printf("\n%d records, %d run(s)\n\n| backend | measure | min | median | max |\n|---|---|---|---|---|\n", n, len(rs))
	row("ingest", func(r result) float64 { return r.ingestPerSec }, "records/s")
	row("bytes per record", func(r result) float64 { return r.bytesPerRecord }, "B")
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	row("evidence of a folder p50", func(r result) float64 { return ms(r.folderP50) }, "ms")
	row("evidence of a folder p99", func(r result) float64 { return ms(r.folderP99) }, "ms")
	row("folders of the assessment p50", func(r result) float64 { return ms(r.foldersP50) }, "ms")
	row("folders of the assessment p99", func(r result) float64 { return ms(r.foldersP99) }, "ms")
	row("evidence verify", func(r result) float64 { return r.verify.Seconds() }, "s")
	row("verify peak RSS", func(r result) float64 { return float64(r.verifyRSS) / 1e6 }, "MB")
	row("ingest RSS at the start", func(r result) float64 { return float64(r.ingestRSS0) / 1e6 }, "MB")
	row("ingest RSS peak", func(r result) float64 { return float64(r.ingestRSS1) / 1e6 }, "MB")
}

// runChild appends the trial's batch, saying "appending" first; the parent kills it.
func runChild(ctx context.Context, dbURL string, trial, size int) error {
	st, err := benchdb.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	l := ledger(st)
	b := batch(trial, items(trial, size))
	fmt.Println("appending")
	_, err = l.Append(ctx, b)
	fmt.Println("appended")
	return err
}

// killTrials kills children mid-batch, then retries each batch and verifies the ledger.
func killTrials(ctx context.Context, backend string, trials, size int) error {
	dbURL, done, err := benchdb.Fresh(ctx, backend, "", "bench_ledger")
	if err != nil {
		return err
	}
	defer done()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	committed := 0
	for i := range trials {
		cmd := exec.Command(self, "-child", dbURL, "-trial", strconv.Itoa(i), "-kill-batch", strconv.Itoa(size))
		out, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return err
		}
		lines := bufio.NewScanner(out)
		lines.Scan()                                                   // "appending"
		time.Sleep(time.Duration(mrand.IntN(1500)) * time.Millisecond) // a random moment of the append
		_ = cmd.Process.Signal(syscall.SIGKILL)
		finished := lines.Scan() // "appended" only if the child got there
		_ = cmd.Wait()
		st, err := benchdb.Open(ctx, dbURL)
		if err != nil {
			return err
		}
		l := ledger(st)
		res, err := l.Append(ctx, batch(i, items(i, size)))
		if err != nil {
			st.Close()
			return fmt.Errorf("trial %d: retry: %w", i, err)
		}
		if res.Duplicate {
			committed++
		}
		c, err := st.EvidenceChain(ctx, account, assessment)
		if err != nil || c.Seq != int64((i+1)*size) {
			st.Close()
			return fmt.Errorf("trial %d: chain %+v, %v: want %d records (no duplicate, no loss)", i, c, err, (i+1)*size)
		}
		rep, err := l.Verify(ctx, assessment)
		st.Close()
		if err != nil {
			return fmt.Errorf("trial %d: verify: %w", i, err)
		}
		if len(rep.Problems) > 0 {
			return fmt.Errorf("trial %d: verify: %v", i, rep.Problems)
		}
		fmt.Printf("trial %d: killed %s; retry appended %s; %d records verify\n", i+1,
			map[bool]string{true: "after the commit", false: "before the commit"}[res.Duplicate || finished],
			map[bool]string{true: "nothing (duplicate)", false: strconv.Itoa(size)}[res.Duplicate], rep.Records)
	}
	fmt.Printf("%s: %d trials; %d batches had committed before the kill, %d had not; every retry left the chain whole and verified\n",
		backend, trials, committed, trials-committed)
	return nil
}
