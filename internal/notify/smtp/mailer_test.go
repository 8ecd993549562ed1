package smtp

import (
	"context"
	"errors"
	"io"
	"mime/quotedprintable"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/notify/notifytest"
)

func TestTargets(t *testing.T) {
	notifytest.RunTargetCases(t, Kind(), notify.Env{}, []notifytest.TargetCase{
		{Name: "smtp", Targets: []string{"smtp://u:s3cret@mail.example.com:2525?from=a@example.com&to=b@example.com,c@example.com"}, Want: ""},
		{Name: "twice", Targets: []string{"smtp://u:s3cret@mail.example.com?from=a@example.com&to=b@example.com", "smtp://u:s3cret@mail.example.com?from=a@example.com&to=b@example.com"}, Want: "given twice"},
		{Name: "smtp without to", Targets: []string{"smtp://u:s3cret@mail.example.com?from=a@example.com"}, Want: "from and to are required"},
		{Name: "smtp bad url", Targets: []string{"smtp://u:s3cret@mail.example.com:99999999?from=a&to=b"}, Want: "smtp://"},
	})
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

	tg := notifytest.Open(t, Kind(), "smtp://probity:s3cret@127.0.0.1:"+port+"?from=probity@example.com&to=grc@example.com&to=ops@example.com", notify.Env{})
	if strings.Contains(tg.Name, "s3cret") {
		t.Errorf("name %q shows the password", tg.Name)
	}
	if err := tg.Notifier.Notify(context.Background(), notifytest.Sample); err != nil {
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
	bad := notifytest.Open(t, Kind(), "smtp://probity:wr0ng@127.0.0.1:"+port+"?from=probity@example.com&to=grc@example.com", notify.Env{})
	box.mu.Unlock()
	err = bad.Notifier.Notify(context.Background(), notifytest.Sample)
	box.mu.Lock()
	if err == nil || strings.Contains(err.Error(), "wr0ng") {
		t.Errorf("err = %v", err)
	}
}
