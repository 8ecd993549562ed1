// Command report measures assessment report generation (internal/report) on the real
// evidence ledger, on SQLite (a temp file) or PostgreSQL (-db postgres: a fresh database on
// the server PROBITY_TEST_POSTGRES names). For each size it appends that many evidence
// records through the ledger, then writes the report of all of them, read from one store
// View, to a file in a child process, whose wall time and peak RSS it reports; then it
// verifies the zip (report.Verify, unanchored) -runs times, each in a child process, and
// reports the wall times (min / median / max) and the largest peak RSS.
//
//	go run ./bench/report -n 22000,1000000
//	PROBITY_TEST_POSTGRES=postgres://... go run ./bench/report -db postgres -n 22000,1000000
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/bench/internal/benchdb"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/evidence/record"
	"github.com/probity-dev/probity/internal/report"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

const (
	account    = "111122223333"
	assessment = "bbbbbbbb-0000-4000-8000-000000000001"
	controls   = 50
)

func main() {
	backend := flag.String("db", "sqlite", "sqlite or postgres")
	sizes := flag.String("n", "22000,1000000", "comma-separated evidence counts")
	child := flag.String("child", "", "internal: write the report of this database URL")
	out := flag.String("out", "", "internal: the child's zip")
	verifyZip := flag.String("verify", "", "internal: verify this zip")
	flag.IntVar(&runs, "runs", 3, "verifications of each report")
	flag.Parse()
	ctx := context.Background()
	if *child != "" {
		if err := writeReport(ctx, *child, *out); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *verifyZip != "" {
		if err := verifyReport(*verifyZip); err != nil {
			log.Fatal(err)
		}
		return
	}
	fmt.Printf("| backend | evidence | ingest | report write | peak RSS | zip size | files | verify (min / median / max of %d) | verify peak RSS |\n|---|---|---|---|---|---|---|---|---|\n", runs)
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(s)
		if err != nil {
			log.Fatal(err)
		}
		if err := measure(ctx, *backend, n); err != nil {
			log.Fatal(err)
		}
	}
}

func measure(ctx context.Context, backend string, n int) error {
	dbURL, cleanup, err := benchdb.Fresh(ctx, backend, "", "bench_report")
	if err != nil {
		return err
	}
	defer cleanup()
	st, err := benchdb.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	box, _ := secret.NewBox(make([]byte, 32))
	l := evidence.New(st, box)
	start := time.Now()
	const batch = 1000
	for b := 0; b*batch < n; b++ {
		its := items(b, min(batch, n-b*batch))
		if _, err := l.Append(ctx, evidence.Batch{Account: account, AssessmentID: assessment, Author: "bench",
			Key: evidence.Key{ControlSetID: "cs-1", ControlID: "all", SourceID: "bench", Resource: strconv.Itoa(b)}, Items: its}); err != nil {
			return err
		}
	}
	ingest := time.Since(start)
	st.Close()

	dir, err := os.MkdirTemp("", "probity-report-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	zipPath := filepath.Join(dir, "report.zip")
	cmd := exec.Command(os.Args[0], "-child", dbURL, "-out", zipPath)
	cmd.Stderr = os.Stderr
	start = time.Now()
	outb, err := cmd.Output()
	wall := time.Since(start)
	if err != nil {
		return fmt.Errorf("child: %w", err)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024
	var sum report.Summary
	if err := json.Unmarshal(outb, &sum); err != nil {
		return fmt.Errorf("child output %q: %w", outb, err)
	}
	if sum.Evidence != n {
		return fmt.Errorf("the report holds %d evidence, want %d", sum.Evidence, n)
	}
	fi, err := os.Stat(zipPath)
	if err != nil {
		return err
	}
	var times []time.Duration
	var verifyRSS int64
	for range runs {
		cmd := exec.Command(os.Args[0], "-verify", zipPath)
		cmd.Stderr = os.Stderr
		start := time.Now()
		if _, err := cmd.Output(); err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		times = append(times, time.Since(start))
		verifyRSS = max(verifyRSS, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss*1024)
	}
	slices.Sort(times)
	fmt.Printf("| %s | %d | %.1f s | %.1f s | %.0f MB | %.0f MB | %d | %.1f / %.1f / %.1f s | %.0f MB |\n", backend, n, ingest.Seconds(), wall.Seconds(),
		float64(rss)/1e6, float64(fi.Size())/1e6, sum.Files,
		times[0].Seconds(), times[len(times)/2].Seconds(), times[len(times)-1].Seconds(), float64(verifyRSS)/1e6)
	return nil
}

// runs is how many times each report is verified.
var runs int

// verifyReport is the verifying child: it fails unless the zip is a valid report.
func verifyReport(zipPath string) error {
	f, err := os.Open(zipPath)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	res, err := report.Verify(f, fi.Size(), nil)
	if err != nil {
		return err
	}
	if !res.Valid {
		return fmt.Errorf("the report does not verify: %q", res.Problems[:min(5, len(res.Problems))])
	}
	return nil
}

// writeReport is the child: the report of every evidence record, read in one View.
func writeReport(ctx context.Context, dbURL, out string) error {
	st, err := benchdb.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	s := &report.Signer{ID: report.KeyID(priv.Public().(ed25519.PublicKey)), Private: priv}
	a := probity.Assessment{ID: assessment, Name: "Benchmark assessment", Status: probity.AssessmentActive,
		Framework: probity.AssessmentFrameworkRef{Name: "Benchmark framework"}}
	cs := probity.AssessmentControlSet{ID: "cs-1", Name: "Controls"}
	for c := range controls {
		cs.Controls = append(cs.Controls, probity.AssessmentControl{ID: fmt.Sprintf("control-%02d", c), Name: fmt.Sprintf("Control %02d", c), Status: probity.ControlUnderReview})
	}
	a.ControlSets = []probity.AssessmentControlSet{cs}
	days, err := st.EvidenceDays(ctx, account, assessment, "", time.Time{}, time.Now())
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	in := report.Input{Assessment: a, Name: "Benchmark report", Author: "bench", Days: days, At: time.Now(),
		Evidence: func(ctx context.Context, fn func(probity.Evidence) error) error {
			return st.View(ctx, func(r store.Reader) error {
				return r.ScanEvidence(ctx, assessment, 0, func(row *store.EvidenceRow) error {
					if row.Kind != record.KindEvidence {
						return nil
					}
					e := probity.Evidence{ID: row.ID, EvidenceFolderID: row.FolderID, AccountID: account, AssessmentID: assessment,
						Sequence: row.Seq, Hash: "sha256:" + hex.EncodeToString(row.Hash)}
					if err := record.Decode(row.Body, &e); err != nil {
						return err
					}
					return fn(e)
				})
			})
		}}
	sum, err := report.Write(ctx, f, in, s)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(sum)
}

// items returns batch b of n records: one control, one data source, one day each (50
// controls, 2 data sources, 10 days), half compliant.
func items(b, n int) []probity.Evidence {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	out := make([]probity.Evidence, n)
	for k := range out {
		i := b*1000 + k
		out[k] = probity.Evidence{
			ControlSetID: "cs-1", ControlID: fmt.Sprintf("control-%02d", b%controls), ControlName: fmt.Sprintf("Control %02d", b%controls),
			DataSource: []string{"Config rule", "Security Hub"}[b/50%2], Time: t0.Add(time.Duration(b/100%10)*24*time.Hour + time.Duration(k)*time.Second),
			EvidenceAWSAccountID: account, AWSAccountID: account, EventSource: "config.amazonaws.com",
			EvidenceByType: probity.EvidenceTypeComplianceCheck, ComplianceCheck: []string{"COMPLIANT", "NON_COMPLIANT"}[i%2],
			IAMID:             "arn:aws:iam::111122223333:role/collector",
			ResourcesIncluded: []probity.EvidenceResource{{ARN: "arn:aws:s3:::bucket-" + strconv.Itoa(i), ComplianceCheck: "COMPLIANT"}},
		}
	}
	return out
}
