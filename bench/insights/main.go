// Command insights measures the insights calls (internal/insights, which the API's six
// insights operations and the console's dashboard call) on a library holding -n evidence
// (1,000,000 by default), on SQLite and, when PROBITY_TEST_POSTGRES names a server, on a
// fresh PostgreSQL database. Setup, once per backend: bench/internal/insightseed's
// defaults (4 ACTIVE assessments of 50 controls in 5 domains, evidence over 30 days up to
// today, appended through the real ledger). Each call then runs -calls times in a row
// after -warmup calls; the table gives its p50, p95 and max.
//
//	go run ./bench/insights                  # SQLite, and PostgreSQL when PROBITY_TEST_POSTGRES is set
//	go run ./bench/insights -db sqlite -n 100000
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/probity-dev/probity/bench/internal/benchdb"
	"github.com/probity-dev/probity/bench/internal/harness"
	"github.com/probity-dev/probity/bench/internal/insightseed"
	"github.com/probity-dev/probity/internal/insights"
)

func main() {
	n := flag.Int("n", insightseed.Defaults.Evidence, "evidence items")
	calls := flag.Int("calls", 200, "measured calls of each operation")
	warmup := flag.Int("warmup", 20, "unmeasured calls before")
	db := flag.String("db", "", "sqlite or postgres (default: sqlite, and postgres when "+benchdb.EnvVar+" is set)")
	flag.Parse()
	for _, b := range benchdb.Backends(*db) {
		if err := run(b, *n, *calls, *warmup); err != nil {
			log.Fatalf("%s: %v", b, err)
		}
	}
}

func run(backend string, n, calls, warmup int) error {
	ctx := context.Background()
	st, ids, done, err := insightseed.Fresh(ctx, backend, "insightsbench", n)
	if err != nil {
		return err
	}
	defer done()
	s := &insights.Service{Store: st}
	p := insightseed.Owner
	a := ids[0]
	domains, err := s.Domains(ctx, p, "")
	if err != nil || len(domains) == 0 {
		return fmt.Errorf("domains: %v (%d)", err, len(domains))
	}
	dom := domains[0].ID
	ops := []struct {
		name string
		call func() error
	}{
		{"GetInsights (Account)", func() error { _, err := s.Account(ctx, p); return err }},
		{"GetInsightsByAssessment (Assessment)", func() error { _, err := s.Assessment(ctx, p, a); return err }},
		{"ListControlDomainInsights (Domains)", func() error { _, err := s.Domains(ctx, p, ""); return err }},
		{"ListControlDomainInsightsByAssessment", func() error { _, err := s.Domains(ctx, p, a); return err }},
		{"ListControlInsightsByControlDomain (Controls)", func() error { _, err := s.Controls(ctx, p, "", dom); return err }},
		{"ListAssessmentControlInsightsByControlDomain", func() error { _, err := s.Controls(ctx, p, a, dom); return err }},
		{"Trend, 30 days, account", func() error { _, err := s.Trend(ctx, p, "", "", 30); return err }},
		{"Trend, 30 days, assessment", func() error { _, err := s.Trend(ctx, p, a, "", 30); return err }},
		{"TrendByDomain, 30 days, account", func() error { _, err := s.TrendByDomain(ctx, p, "", 30); return err }},
		{"TopControls 10, account", func() error { _, err := s.TopControls(ctx, p, "", 10); return err }},
	}
	fmt.Printf("| %-46s | %8s | %8s | %8s |\n|%s|%s|%s|%s|\n", "call ("+backend+")", "p50 ms", "p95 ms", "max ms",
		strings.Repeat("-", 48), strings.Repeat("-", 10), strings.Repeat("-", 10), strings.Repeat("-", 10))
	for _, op := range ops {
		p50, p95, most, err := harness.Latencies(calls, warmup, op.call)
		if err != nil {
			return fmt.Errorf("%s: %w", op.name, err)
		}
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		fmt.Printf("| %-46s | %8.2f | %8.2f | %8.2f |\n", op.name, ms(p50), ms(p95), ms(most))
	}
	return nil
}
