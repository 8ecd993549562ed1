package amapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"

	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/botocoretest"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

const rootID, rootSecret = "PRBROOTTESTKEY000001", "root-secret-for-tests-only"

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newHandler(t testing.TB, st store.Store, now func() time.Time) *amapi.Handler {
	t.Helper()
	h, err := amapi.New(amapi.Config{
		Library: &library.Service{Store: st, Now: now},
		Keys:    &keys.Manager{Root: &keys.Root{ID: rootID, Secret: rootSecret, AccountID: "000000000000"}},
		Now:     now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func sqliteStore(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "probity.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func client(url string, hc *http.Client) *am.Client {
	o := am.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(rootID, rootSecret, ""),
	}
	if hc != nil {
		o.HTTPClient = hc
	}
	return am.New(o)
}

// modelOperations reads the operations of botocore's auditmanager model (see
// botocoretest.Decode for a machine without botocore).
func modelOperations(t *testing.T) map[string]amapi.Operation {
	t.Helper()
	var m struct {
		Operations map[string]struct {
			HTTP struct{ Method, RequestURI string } `json:"http"`
		} `json:"operations"`
	}
	botocoretest.Decode(t, &m)
	ops := map[string]amapi.Operation{}
	for name, o := range m.Operations {
		ops[name] = amapi.Operation{Name: name, Method: o.HTTP.Method, URI: o.HTTP.RequestURI}
	}
	return ops
}

// TestEveryModelOperationIsRouted checks the operation table against the installed model
// and that a request to each operation's URI reaches that operation's route.
func TestEveryModelOperationIsRouted(t *testing.T) {
	model := modelOperations(t)
	h := newHandler(t, sqliteStore(t), nil)
	table := map[string]amapi.Operation{}
	for _, op := range amapi.Operations() {
		table[op.Name] = op
	}
	var missing []string
	for name, want := range model {
		got, ok := table[name]
		if !ok || got.Method != want.Method || got.URI != want.URI {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 || len(table) != len(model) {
		t.Fatalf("operation table differs from the model (run go generate): %v; table %d, model %d", missing, len(table), len(model))
	}
	label := regexp.MustCompile(`\{([^}]+)\}`)
	arn := "arn%3Aaws%3Aauditmanager%3Aus-east-1%3A000000000000%3Acontrol%2F0123abcd-0123-4567-89ab-0123456789ab"
	served := 0
	for _, op := range model {
		path := label.ReplaceAllStringFunc(op.URI, func(l string) string {
			if l == "{resourceArn}" {
				return arn
			}
			return "0123abcd-0123-4567-89ab-0123456789ab"
		})
		r := httptest.NewRequest(op.Method, path, nil)
		if got, want := amapi.RoutePattern(h, r), table[op.Name].Pattern(); got != want {
			t.Errorf("%s %s routes to %q, want %q (%s)", op.Method, path, got, want, op.Name)
		}
		if amapi.Served(op.Name) {
			served++
		}
	}
	if served != 59 {
		t.Errorf("%d operations are served, want the 59 served so far", served)
	}
}

// TestReplayOutsideWindow captures a request the real SDK signed and replays it: within
// the 15-minute window the signature still holds (SigV4 keeps no nonce), after it the
// server refuses it.
func TestReplayOutsideWindow(t *testing.T) {
	clk := &clock{t: time.Now()}
	srv := httptest.NewServer(newHandler(t, sqliteStore(t), clk.Now))
	defer srv.Close()
	var captured *http.Request
	var body []byte
	rec := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		captured = r.Clone(context.Background())
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	_, err := client(srv.URL, rec).CreateControl(context.Background(), &am.CreateControlInput{Name: aws.String("replayed"),
		ControlMappingSources: []types.CreateControlMappingSource{{SourceName: aws.String("m"), SourceType: types.SourceTypeManual}}})
	if err != nil {
		t.Fatal(err)
	}
	replay := func() (int, string) {
		r, _ := http.NewRequest(captured.Method, captured.URL.String(), bytes.NewReader(body))
		r.Header = captured.Header.Clone()
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType")
	}
	clk.Add(5 * time.Minute)
	// Within the window the same request is accepted again; the name is now taken.
	if code, typ := replay(); code != 400 || typ != "ValidationException" {
		t.Fatalf("replay within the window: %d %s, want the duplicate-name ValidationException", code, typ)
	}
	clk.Add(11 * time.Minute)
	if code, typ := replay(); code != 403 || typ != "InvalidSignatureException" {
		t.Fatalf("replay after the window: %d %s, want 403 InvalidSignatureException", code, typ)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestPostgres runs a control and framework round trip through the API on PostgreSQL.
func TestPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(newHandler(t, st, nil))
	defer srv.Close()
	c := client(srv.URL, nil)
	ctx := context.Background()
	ctl, err := c.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("pg"),
		ControlMappingSources: []types.CreateControlMappingSource{{SourceName: aws.String("m"), SourceType: types.SourceTypeManual}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateAssessmentFramework(ctx, &am.CreateAssessmentFrameworkInput{Name: aws.String("pg fw"),
		ControlSets: []types.CreateAssessmentFrameworkControlSet{{Name: aws.String("S"), Controls: []types.CreateAssessmentFrameworkControl{{Id: ctl.Control.Id}}}}})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListAssessmentFrameworks(ctx, &am.ListAssessmentFrameworksInput{FrameworkType: types.FrameworkTypeCustom})
	if err != nil || len(list.FrameworkMetadataList) != 1 || list.FrameworkMetadataList[0].ControlsCount != 1 {
		t.Fatalf("ListAssessmentFrameworks = %+v, %v", list, err)
	}
	if _, err := c.UpdateSettings(ctx, &am.UpdateSettingsInput{KmsKey: aws.String("DEFAULT")}); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentSettingsUpdates checks that settings changes made at once each keep
// the others: every update reads, changes and writes in one transaction.
func TestConcurrentSettingsUpdates(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(newHandler(t, sqliteStore(t), time.Now))
	defer srv.Close()
	c := client(srv.URL, srv.Client())
	owners := []string{"alice", "bob", "carol", "dave", "erin", "frank"}
	var wg sync.WaitGroup
	for i, o := range owners {
		wg.Go(func() {
			var err error
			if i%2 == 0 {
				_, err = c.UpdateSettings(ctx, &am.UpdateSettingsInput{SnsTopic: aws.String("arn:aws:sns:us-east-1:000000000000:" + o)})
			} else {
				_, err = c.UpdateSettings(ctx, &am.UpdateSettingsInput{DefaultProcessOwners: []types.Role{{RoleArn: aws.String("arn:aws:iam::000000000000:role/" + o), RoleType: types.RoleTypeProcessOwner}}})
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	out, err := c.GetSettings(ctx, &am.GetSettingsInput{Attribute: types.SettingAttributeAll})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Settings.SnsTopic) == "" || len(out.Settings.DefaultProcessOwners) != 1 {
		t.Fatalf("concurrent updates lost one another: %+v", out.Settings)
	}
}
