// Command console measures the web console's dashboard, evidence finder, reports, sources,
// settings and control library pages over HTTP (internal/console behind an httptest server, signed in as
// an admin key) on a library of -n evidence (1,000,000 by default, seeded by
// bench/internal/insightseed through the real ledger), on SQLite and, when
// PROBITY_TEST_POSTGRES names a server, on a fresh PostgreSQL database; the account's
// library holds -controls custom controls (50,000 by default) besides. Each page is read
// -calls times in a row after -warmup reads; the table gives p50, p95 and max of the
// whole response (first byte to last).
//
//	go run ./bench/console                  # SQLite, and PostgreSQL when PROBITY_TEST_POSTGRES is set
//	go run ./bench/console -db sqlite -n 100000
//	go run ./bench/console -n 1000 -pages 'control library'   # the library's pages only
package main

import (
	"context"
	"flag"
	"fmt"
	"html"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/bench/internal/benchdb"
	"github.com/probity-dev/probity/bench/internal/harness"
	"github.com/probity-dev/probity/bench/internal/insightseed"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/console"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/pipeline"
	"github.com/probity-dev/probity/internal/report"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

func main() {
	n := flag.Int("n", insightseed.Defaults.Evidence, "evidence items")
	controls := flag.Int("controls", 50_000, "custom controls in the account's library")
	only := flag.String("pages", "", "measure only the pages whose names match this regular expression")
	calls := flag.Int("calls", 100, "measured reads of each page")
	warmup := flag.Int("warmup", 10, "unmeasured reads before")
	db := flag.String("db", "", "sqlite or postgres (default: sqlite, and postgres when "+benchdb.EnvVar+" is set)")
	flag.Parse()
	for _, b := range benchdb.Backends(*db) {
		if err := run(b, *n, *controls, *calls, *warmup, regexp.MustCompile(*only)); err != nil {
			log.Fatalf("%s: %v", b, err)
		}
	}
}

// noQueue leaves reports IN_PROGRESS: the benchmark reads pages, it writes no report.
type noQueue struct{}

func (noQueue) EnqueueReport(context.Context, string, string) error { return nil }

func run(backend string, n, controls, calls, warmup int, only *regexp.Regexp) error {
	ctx := context.Background()
	st, ids, done, err := insightseed.Fresh(ctx, backend, "consolebench", n)
	if err != nil {
		return err
	}
	defer done()
	start := time.Now()
	if err := seedControls(ctx, st, insightseed.Owner.AccountID, controls); err != nil {
		return err
	}
	fmt.Printf("%s: %d controls seeded in %s\n", backend, controls, time.Since(start).Round(time.Second))

	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		return err
	}
	p := insightseed.Owner
	km := &keys.Manager{Store: st, Box: box}
	key, sec, err := km.CreateWithARN(ctx, "bench-admin", p.Level, p.AccountID, p.ARN)
	if err != nil {
		return err
	}
	as := &assess.Service{Store: st}
	reps := &assess.Reports{Service: as, Keys: &report.Keys{Store: st, Box: box}, Queue: noQueue{}}
	rep, err := reps.Create(ctx, p, ids[0], assess.CreateInput{Name: "bench-report"})
	if err != nil {
		return err
	}
	ui, err := console.New(console.Config{Library: &library.Service{Store: st}, Assess: as, Keys: km, Reports: reps,
		Sources: func() []pipeline.SourceStatus {
			return []pipeline.SourceStatus{{Source: "files:policies", Up: true, LastReconcile: time.Now()}}
		}})
	if err != nil {
		return err
	}
	srv := httptest.NewServer(ui)
	defer srv.Close()
	c, err := signIn(srv.URL, key.KeyID, sec)
	if err != nil {
		return err
	}
	a := ids[0]
	day := probity.Day(time.Now()).AddDate(0, 0, -3).Format(time.DateOnly)
	pages := []struct{ name, path string }{
		{"dashboard", "/ui/"},
		{"evidence finder, first page", "/ui/evidence?assessmentId=" + a},
		{"evidence finder, NON_COMPLIANT", "/ui/evidence?assessmentId=" + a + "&compliance=NON_COMPLIANT"},
		{"evidence finder, one day", "/ui/evidence?assessmentId=" + a + "&from=" + day + "&to=" + day},
		{"evidence finder, no match (scan bound)", "/ui/evidence?assessmentId=" + a + "&resourceType=ec2:instance"},
		{"reports", "/ui/reports"},
		{"report", "/ui/reports/" + a + "/" + rep.ID},
		{"sources", "/ui/sources"},
		{"settings", "/ui/settings"},
		{"control library, first page", "/ui/controls"},
		{"control library, second page", ""},
		{"control library, search", "/ui/controls?q=control+0421"},
		{"control library, tag and type", "/ui/controls?type=Custom&tag=team%3Dteam-3"},
		{"control library, data source type (1 in 1,000)", "/ui/controls?sourceType=MANUAL"},
		{"control library, domain and manager", "/ui/controls?domain=SC&managedBy=api"},
	}
	next, err := nextPage(c, srv.URL+"/ui/controls")
	if err != nil {
		return err
	}
	fmt.Printf("\n| page | %s p50 / p95 / max ms |\n|---|---|\n", backend)
	for _, pg := range pages {
		if !only.MatchString(pg.name) {
			continue
		}
		if pg.path == "" {
			pg.path = next
		}
		p50, p95, most, err := harness.Latencies(calls, warmup, func() error {
			status, err := get(c, srv.URL+pg.path)
			if err != nil || status != http.StatusOK {
				return fmt.Errorf("%s: %d %v", pg.path, status, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		ms := func(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }
		fmt.Printf("| %s | %s / %s / %s |\n", pg.name, ms(p50), ms(p95), ms(most))
	}
	return nil
}

var csrfPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn returns a client with a console session of the key.
func signIn(base, id, sec string) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/ui/signin")
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfPattern.FindSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("sign-in page has no CSRF token")
	}
	form := url.Values{"keyId": {id}, "secret": {sec}, "csrf": {string(m[1])}}
	resp, err = c.Post(base+"/ui/signin", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in: %d", resp.StatusCode)
	}
	return c, nil
}

// get reads the whole page and returns its status.
func get(c *http.Client, u string) (int, error) {
	resp, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// seedControls stores n custom controls in the account's library, in batches: names
// "Library control NNNNN", tags team=team-(i%10), domains AC, AU, CM, IA, SC by turn,
// and a Config rule data source but for one in 1,000, which is MANUAL.
func seedControls(ctx context.Context, st store.Store, account string, n int) error {
	now := time.Now().UTC()
	domains := []string{"AC", "AU", "CM", "IA", "SC"}
	for from := 0; from < n; from += 1000 {
		var cs []*probity.Control
		for i := from; i < min(n, from+1000); i++ {
			c := &probity.Control{ID: probity.NewID(), Type: probity.ControlTypeCustom, AccountID: account,
				Name: fmt.Sprintf("Library control %05d", i), Description: fmt.Sprintf("Benchmark control number %d of the library.", i),
				Domain: domains[i%len(domains)], Tags: map[string]string{"team": fmt.Sprintf("team-%d", i%10)},
				ControlMappingSources: []probity.ControlMappingSource{{
					SourceName: "Config rule", SourceType: probity.SourceTypeConfig, SourceFrequency: "DAILY",
					SourceKeyword: &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: "S3_BUCKET_VERSIONING_ENABLED"},
				}},
				CreatedAt: now, CreatedBy: "bench", LastUpdatedAt: now, LastUpdatedBy: "bench"}
			if i%1000 == 999 {
				c.ControlMappingSources = []probity.ControlMappingSource{probity.ManualAttestation()}
			}
			c.ARN = probity.Partition{Region: probity.DefaultPartition.Region, AccountID: account}.ARN("control", c.ID)
			c.Normalize()
			cs = append(cs, c)
		}
		if err := st.Update(ctx, store.LockLibrary, func(tx store.Tx) error { return tx.PutControls(ctx, cs) }); err != nil {
			return fmt.Errorf("seed controls: %w", err)
		}
	}
	return nil
}

var nextPattern = regexp.MustCompile(`href="(/ui/controls\?[^"]*after=[^"]+)"`)

// nextPage returns the path of the page after the one at u.
func nextPage(c *http.Client, u string) (string, error) {
	resp, err := c.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	m := nextPattern.FindSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("%s: no link to a next page", u)
	}
	return html.UnescapeString(string(m[1])), nil
}
