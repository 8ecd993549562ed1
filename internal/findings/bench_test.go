package findings_test

import (
	"bytes"
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/probity-dev/probity/internal/findings"
)

// BenchmarkImport decodes and imports 20,000 Prowler OCSF findings of one account into
// one active assessment of 50 controls, each finding mapped by its CIS requirement id to
// one control, and reports findings/s into the ledger (decoding included) by the wall
// clock and per CPU-second of the process. Each round
// dates its findings a day later, so that no batch is a duplicate of an earlier round's.
//
//	go test -run '^$' -bench Import -benchtime 5x ./internal/findings/
func BenchmarkImport(b *testing.B) {
	const n = 20000
	for name, open := range stores() {
		b.Run(name, func(b *testing.B) {
			names := make([]string, 50)
			for i := range names {
				names[i] = fmt.Sprintf("1.%d Control %d", i+1, i+1)
			}
			w := newWorld(b, open(b), names...)
			w.assessment(b, "111122223333")
			im := &findings.Importer{Store: w.st, Ledger: w.ledger, Author: "bench"}
			round := 0
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				file := ocsfFile(n, round)
				round++
				b.StartTimer()
				cpu0 := cpuTime()
				_, fs, err := findings.Decode(bytes.NewReader(file))
				if err != nil {
					b.Fatal(err)
				}
				sum, err := im.Import(context.Background(), "", fs)
				if err != nil || sum.Evidence != n {
					b.Fatalf("import: %+v, %v", sum, err)
				}
				cpu += cpuTime() - cpu0
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "findings/s")
			// The process's CPU time (the GC's included; PostgreSQL's server not), which
			// the other work on a shared machine moves much less than the wall clock.
			b.ReportMetric(float64(n*b.N)/cpu.Seconds(), "findings/cpu-s")
		})
	}
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ocsfFile returns n findings shaped as Prowler writes them, on day round of 2026.
func ocsfFile(n, round int) []byte {
	var buf bytes.Buffer
	buf.WriteString("[")
	for i := range n {
		if i > 0 {
			buf.WriteString(",")
		}
		fmt.Fprintf(&buf, `{"message":"Check %d","metadata":{"event_code":"check_%d","product":{"name":"Prowler","uid":"prowler","vendor_name":"Prowler","version":"5.0.0"},"profiles":["cloud","datetime"],"version":"1.4.0"},
"severity_id":2,"severity":"Low","status":"New","status_code":"%s","status_detail":"Resource %d is checked.","status_id":1,
"unmapped":{"related_url":"https://example.com","categories":[],"compliance":{"CIS-3.0":["1.%d"],"KISA-ISMS-P-2023":["2.5.6","2.6.4"]}},
"activity_name":"Create","activity_id":1,"finding_info":{"created_time":1767225600,"desc":"Check","title":"Check %d","types":["IAM"],"uid":"prowler-%d-%d"},
"resources":[{"cloud_partition":"aws","region":"eu-west-1","group":{"name":"s3"},"labels":[],"name":"bucket-%d","type":"AwsS3Bucket","uid":"arn:aws:s3:::bucket-%d"}],
"category_name":"Findings","category_uid":2,"class_name":"Detection Finding","class_uid":2004,
"cloud":{"account":{"name":"","type":"AWS Account","type_id":10,"uid":"111122223333","labels":[]},"org":{"name":"","uid":""},"provider":"aws","region":"eu-west-1"},
"time":%d,"time_dt":"2026-01-%02dT10:00:%02d.000000","type_uid":200401,"type_name":"Detection Finding: Create"}`,
			i, i%300, []string{"PASS", "FAIL"}[i%2], i, i%50+1, i, round, i, i, i, 1767225600+round*86400, round%28+1, i%60)
	}
	buf.WriteString("]")
	return buf.Bytes()
}
