package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/mototest"
)

var sample = Message{
	Source: "s3://bucket/catalog", OK: false,
	Subject:  "Probity catalog: 1 file(s) failed, 0 change(s) applied (s3://bucket/catalog)",
	Text:     "Catalog source: s3://bucket/catalog\n\n1 file(s) failed:\ncontrols/a.yaml (not in effect):\n  controls/a.yaml:7:5: datasources[1].sourceType: must be one of AWS_Cloudtrail\n",
	Failures: []Failure{{Path: "controls/a.yaml", Problems: []string{"controls/a.yaml:7:5: datasources[1].sourceType: must be one of AWS_Cloudtrail"}}},
	Time:     time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC),
}

func open(t *testing.T, target string, env Env) Target {
	t.Helper()
	r, err := NewRegistry(Kinds())
	if err != nil {
		t.Fatal(err)
	}
	ts, err := r.Open(context.Background(), []string{target}, env)
	if err != nil {
		t.Fatal(err)
	}
	return ts[0]
}

func TestRegistry(t *testing.T) {
	r, err := NewRegistry(Kinds())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Schemes(), ","); got != "sns,smtp,webhook" {
		t.Errorf("Schemes() = %s", got)
	}
	if _, err := NewRegistry(append(Kinds(), Kind{Scheme: "sns", Open: openSNS})); err == nil {
		t.Error("a duplicate scheme was accepted")
	}
	tests := []struct {
		name    string
		targets []string
		want    string // substring of the error; "" for success
	}{
		{"smtp", []string{"smtp://u:s3cret@mail.example.com:2525?from=a@example.com&to=b@example.com,c@example.com"}, ""},
		{"webhook", []string{"webhook:https://hooks.example.com/T000/s3cret"}, ""},
		{"sns", []string{"sns:arn:aws:sns:eu-west-1:123456789012:outcomes"}, ""},
		{"unknown", []string{"pager://u:s3cret@x"}, "unknown kind; use one of sns:TOPIC_ARN"},
		{"twice", []string{"webhook:https://a.example.com/x", "webhook:https://a.example.com/x"}, "given twice"},
		{"smtp without to", []string{"smtp://u:s3cret@mail.example.com?from=a@example.com"}, "from and to are required"},
		{"smtp bad url", []string{"smtp://u:s3cret@mail.example.com:99999999?from=a&to=b"}, "smtp://"},
		{"webhook not http", []string{"webhook:ftp://x/y"}, "want webhook:https://"},
		{"sns not an arn", []string{"sns:outcomes"}, "want sns:arn:aws:sns"},
		{"webhook with a token in the query", []string{"webhook:https://hooks.example.com/x?token=s3cret"}, ""},
		{"webhook with user info", []string{"webhook:https://u:s3cret@hooks.example.com/x"}, ""},
		{"sns with a query", []string{"sns:arn:aws:sns:eu-west-1:123456789012:outcomes?token=s3cret"}, "want sns:arn:aws:sns"},
		{"sns with user info", []string{"sns:u:s3cret@example.com"}, "want sns:arn:aws:sns"},
		{"webhook bad with user info", []string{"webhook:ftp://u:s3cret@x/y?token=s3cret"}, "want webhook:https://"},
	}
	env := Env{AWSConfig: func(context.Context) (aws.Config, error) { return aws.Config{Region: "us-east-1"}, nil }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := r.Open(context.Background(), tt.targets, env)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				for _, tg := range ts {
					if strings.Contains(tg.Name, "s3cret") {
						t.Errorf("name %q shows a secret", tg.Name)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one with %q", err, tt.want)
			}
			if probity.ErrorCode(err) != probity.EINVALID {
				t.Errorf("code = %s, want invalid", probity.ErrorCode(err))
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows a secret", err)
			}
		})
	}
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
	tg := open(t, "webhook:"+srv.URL+"/hook/s3cret", Env{})
	if strings.Contains(tg.Name, "s3cret") {
		t.Errorf("name %q shows the path", tg.Name)
	}
	reg := prometheus.NewRegistry()
	d, err := NewDispatcher([]Target{tg}, DispatchOptions{Backoff: 10 * time.Millisecond, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); d.Wait(context.Background()) }()
	d.Start(ctx)
	d.Send(sample)
	var got map[string]any
	select {
	case b := <-bodies:
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook call")
	}
	if got["text"] != sample.Text || got["source"] != sample.Source || got["ok"] != false {
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

	targets := []Target{open(t, "webhook:"+downURL, Env{}), open(t, "webhook:"+up.URL, Env{}), open(t, "webhook:"+refused.URL, Env{})}
	reg := prometheus.NewRegistry()
	d, err := NewDispatcher(targets, DispatchOptions{Backoff: 5 * time.Millisecond, Attempts: 3, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); d.Wait(context.Background()) }()
	d.Start(ctx)
	d.Send(sample)
	d.Send(sample)
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

// mailbox is an SMTP server backend that keeps what it receives.
type mailbox struct {
	mu    sync.Mutex
	mails []string
	auths []string
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{b: b}, nil }

type session struct {
	b    *mailbox
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.b.mu.Lock()
		defer s.b.mu.Unlock()
		s.b.auths = append(s.b.auths, user+":"+pass)
		if pass != "s3cret" {
			return errors.New("bad password")
		}
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error   { s.to = append(s.to, to); return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.mails = append(s.b.mails, "FROM "+s.from+"\nTO "+strings.Join(s.to, ",")+"\n"+string(b))
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func TestSMTP(t *testing.T) {
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)

	tg := open(t, "smtp://probity:s3cret@127.0.0.1:"+port+"?from=probity@example.com&to=grc@example.com&to=ops@example.com", Env{})
	if strings.Contains(tg.Name, "s3cret") {
		t.Errorf("name %q shows the password", tg.Name)
	}
	if err := tg.Notifier.Notify(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	box.mu.Lock()
	defer box.mu.Unlock()
	if len(box.mails) != 1 {
		t.Fatalf("%d mails, want 1", len(box.mails))
	}
	// The body is quoted-printable: decode it to compare the lines.
	head, body, _ := strings.Cut(box.mails[0], "\r\n\r\n")
	decoded, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	mail := head + "\n\n" + string(decoded)
	for _, want := range []string{"FROM probity@example.com", "TO grc@example.com,ops@example.com",
		"Subject: Probity catalog: 1 file(s) failed", "controls/a.yaml:7:5: datasources[1].sourceType: must be one of AWS_Cloudtrail"} {
		if !strings.Contains(mail, want) {
			t.Errorf("mail lacks %q:\n%s", want, mail)
		}
	}
	if len(box.auths) != 1 || box.auths[0] != "probity:s3cret" {
		t.Errorf("auths = %v", box.auths)
	}

	// A wrong password fails, and the error does not repeat it.
	bad := open(t, "smtp://probity:wr0ng@127.0.0.1:"+port+"?from=probity@example.com&to=grc@example.com", Env{})
	box.mu.Unlock()
	err = bad.Notifier.Notify(context.Background(), sample)
	box.mu.Lock()
	if err == nil || strings.Contains(err.Error(), "wr0ng") {
		t.Errorf("err = %v", err)
	}
}

func TestSNS(t *testing.T) {
	m := mototest.Start(t)
	ctx := context.Background()
	cfg := m.Config()
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("outcomes")})
	if err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(cfg)
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("inbox")})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:sqs:" + mototest.Region + ":123456789012:inbox"
	if _, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	tg := open(t, "sns:"+aws.ToString(topic.TopicArn), Env{AWSConfig: m.ConfigFunc()})
	if err := tg.Notifier.Notify(ctx, sample); err != nil {
		t.Fatal(err)
	}
	out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, WaitTimeSeconds: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 {
		t.Fatalf("%d messages, want 1", len(out.Messages))
	}
	var env struct{ Subject, Message string }
	if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &env); err != nil {
		t.Fatal(err)
	}
	if env.Message != sample.Text || !strings.HasPrefix(env.Subject, "Probity catalog: 1 file(s) failed") {
		t.Errorf("got subject %q message %q", env.Subject, env.Message)
	}
}

func TestSNSSubjectAndTruncate(t *testing.T) {
	if got := snsSubject("Probity: ü\nnext " + strings.Repeat("x", 200)); len(got) != 99 || strings.ContainsAny(got, "\nü") {
		t.Errorf("snsSubject = %q (%d)", got, len(got))
	}
	text := strings.Repeat("line of text\n", 100)
	got := truncate(text, 500)
	if len(got) > 500 || !strings.HasSuffix(got, "more line(s) left out") {
		t.Errorf("truncate = %q", got)
	}
	// One long line of two-byte characters is cut between characters.
	for _, max := range []int{500, 501} {
		if got := truncate(strings.Repeat("é", 400), max); len(got) > max || !utf8.ValidString(got) {
			t.Errorf("truncate of a long line to %d bytes = %d bytes, valid UTF-8 %v", max, len(got), utf8.ValidString(got))
		}
	}
}

func TestWebhookNamesHideTokensAndDiffer(t *testing.T) {
	a, nameA, err := openWebhook(context.Background(), "webhook:https://hooks.example.com/services/T0/B0/tokenA", Env{})
	if err != nil || a == nil {
		t.Fatal(err)
	}
	_, nameB, err := openWebhook(context.Background(), "webhook:https://hooks.example.com/services/T0/B1/tokenB", Env{})
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
