package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/notify/notifytest"
)

func TestTargets(t *testing.T) {
	notifytest.RunTargetCases(t, Kind(), notify.Env{}, []notifytest.TargetCase{
		{Name: "webhook", Targets: []string{"webhook:https://hooks.example.com/T000/s3cret"}, Want: ""},
		{Name: "twice", Targets: []string{"webhook:https://a.example.com/x", "webhook:https://a.example.com/x"}, Want: "given twice"},
		{Name: "webhook not http", Targets: []string{"webhook:ftp://x/y"}, Want: "want webhook:https://"},
		{Name: "webhook with a token in the query", Targets: []string{"webhook:https://hooks.example.com/x?token=s3cret"}, Want: ""},
		{Name: "webhook with user info", Targets: []string{"webhook:https://u:s3cret@hooks.example.com/x"}, Want: ""},
		{Name: "webhook bad with user info", Targets: []string{"webhook:ftp://u:s3cret@x/y?token=s3cret"}, Want: "want webhook:https://"},
	})
}

func TestWebhook(t *testing.T) {
	var calls atomic.Int32
	bodies := make(chan []byte, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		if r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("content type %q", r.Header.Get("Content-Type"))
		}
		b, _ := io.ReadAll(r.Body)
		bodies <- b
	}))
	defer srv.Close()
	tg := notifytest.Open(t, Kind(), "webhook:"+srv.URL+"/hook/s3cret", notify.Env{})
	if strings.Contains(tg.Name, "s3cret") {
		t.Errorf("name %q shows the path", tg.Name)
	}
	reg := prometheus.NewRegistry()
	d, err := notify.NewDispatcher([]notify.Target{tg}, notify.DispatchOptions{Backoff: 10 * time.Millisecond, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); d.Wait(context.Background()) }()
	d.Start(ctx)
	d.Send(notifytest.Sample)
	var got map[string]any
	select {
	case b := <-bodies:
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook call")
	}
	if got["text"] != notifytest.Sample.Text || got["source"] != notifytest.Sample.Source || got["ok"] != false {
		t.Errorf("body = %v", got)
	}
	fs, _ := got["failures"].([]any)
	if len(fs) != 1 {
		t.Errorf("failures = %v", got["failures"])
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d calls, want 2 (one retry)", n)
	}
}

// TestTargetDown checks that a target that stays down is given up, counted, and does
// not hold up delivery to the others.
func TestTargetDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downURL := "http://" + l.Addr().String() + "/hook"
	l.Close() // nothing listens there now
	var got atomic.Int32
	up := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got.Add(1) }))
	defer up.Close()
	refused := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) }))
	defer refused.Close()

	targets := []notify.Target{notifytest.Open(t, Kind(), "webhook:"+downURL, notify.Env{}), notifytest.Open(t, Kind(), "webhook:"+up.URL, notify.Env{}), notifytest.Open(t, Kind(), "webhook:"+refused.URL, notify.Env{})}
	reg := prometheus.NewRegistry()
	d, err := notify.NewDispatcher(targets, notify.DispatchOptions{Backoff: 5 * time.Millisecond, Attempts: 3, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); d.Wait(context.Background()) }()
	d.Start(ctx)
	d.Send(notifytest.Sample)
	d.Send(notifytest.Sample)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && (got.Load() < 2 || counter(t, reg, targets[0].Name, "failed") < 2 || counter(t, reg, targets[2].Name, "failed") < 2) {
		time.Sleep(10 * time.Millisecond)
	}
	if got.Load() != 2 {
		t.Errorf("the healthy target got %d messages, want 2", got.Load())
	}
	if n := counter(t, reg, targets[0].Name, "retry"); n != 4 {
		t.Errorf("down target: %v retries, want 4", n)
	}
	if n := counter(t, reg, targets[2].Name, "retry"); n != 0 {
		t.Errorf("refusing target: %v retries, want none", n)
	}
}

func counter(t *testing.T, reg *prometheus.Registry, target, result string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "probity_notify_deliveries_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["target"] == target && labels["result"] == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func TestWebhookNamesHideTokensAndDiffer(t *testing.T) {
	a, nameA, err := open(context.Background(), "webhook:https://hooks.example.com/services/T0/B0/tokenA", notify.Env{})
	if err != nil || a == nil {
		t.Fatal(err)
	}
	_, nameB, err := open(context.Background(), "webhook:https://hooks.example.com/services/T0/B1/tokenB", notify.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if nameA == nameB {
		t.Fatalf("two hooks on one host share the name %q", nameA)
	}
	for _, n := range []string{nameA, nameB} {
		if strings.Contains(n, "token") || strings.Contains(n, "services") || !strings.HasPrefix(n, "webhook:https://hooks.example.com#") {
			t.Fatalf("webhook name %q shows more than the host", n)
		}
	}
}
