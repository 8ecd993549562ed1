// Package smtp notifies by email through an SMTP server (with go-mail, not net/smtp):
// smtp://USER:PASS@HOST:PORT?from=ADDR&to=ADDR.
package smtp

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/notify"
)

// usage is the form of a target.
const usage = "smtp://USER:PASS@HOST:PORT?from=ADDR&to=ADDR"

// Kind returns the kind of target smtp://USER:PASS@HOST:PORT?from=ADDR&to=ADDR.
func Kind() notify.Kind {
	return notify.Kind{Scheme: "smtp", Usage: usage, Open: open}
}

// Mailer sends email through an SMTP server, with STARTTLS when the server offers it.
type Mailer struct {
	host       string
	port       int
	user, pass string
	from       string
	to         []string
}

var _ notify.Notifier = (*Mailer)(nil)

// open opens smtp://USER:PASS@HOST:PORT?from=ADDR&to=ADDR[&to=ADDR...]; to may also
// hold several addresses separated by commas. The port defaults to 587. It returns an
// EINVALID error for a malformed target; errors and the name never show the password.
func open(_ context.Context, target string, _ notify.Env) (notify.Notifier, string, error) {
	bad := func(why string) error {
		return probity.Errorf(probity.EINVALID, "notify target smtp://...: %s; want %s", why, usage)
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, "", bad("not a URL") // url's error would repeat the password
	}
	m := &Mailer{host: u.Hostname(), port: 587}
	if m.host == "" {
		return nil, "", bad("no host")
	}
	if p := u.Port(); p != "" {
		if m.port, err = strconv.Atoi(p); err != nil || m.port <= 0 || m.port > 65535 {
			return nil, "", bad("bad port")
		}
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
	}
	q := u.Query()
	m.from = q.Get("from")
	for _, v := range q["to"] {
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				m.to = append(m.to, a)
			}
		}
	}
	if m.from == "" || len(m.to) == 0 {
		return nil, "", bad("from and to are required")
	}
	name := "smtp://" + net.JoinHostPort(m.host, strconv.Itoa(m.port))
	if m.user != "" {
		name = "smtp://" + m.user + "@" + net.JoinHostPort(m.host, strconv.Itoa(m.port))
	}
	return m, name, nil
}

// Notify sends m as a plain-text email, one connection per message. Authentication,
// when a user is set, is PLAIN, which go-mail refuses over an unencrypted connection to
// any host but localhost.
// It returns a Permanent error for what retrying cannot fix (a bad address).
func (m *Mailer) Notify(ctx context.Context, msg notify.Message) error {
	opts := []mail.Option{
		mail.WithPort(m.port),
		mail.WithTLSPolicy(mail.TLSOpportunistic), // not WithTLSPortPolicy: it would move port 25 to 587
		mail.WithTimeout(30 * time.Second),
	}
	if m.user != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(m.user), mail.WithPassword(m.pass))
	}
	client, err := mail.NewClient(m.host, opts...)
	if err != nil {
		return notify.Permanent(fmt.Errorf("smtp %s: %w", m.host, err))
	}
	e := mail.NewMsg()
	if err := e.From(m.from); err != nil {
		return notify.Permanent(fmt.Errorf("smtp from address: %w", err))
	}
	if err := e.To(m.to...); err != nil {
		return notify.Permanent(fmt.Errorf("smtp to address: %w", err))
	}
	e.Subject(msg.Subject)
	e.SetDate()
	e.SetBodyString(mail.TypeTextPlain, msg.Text)
	if err := client.DialAndSendWithContext(ctx, e); err != nil {
		return fmt.Errorf("send mail through %s:%d: %w", m.host, m.port, err)
	}
	return nil
}
