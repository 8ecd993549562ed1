// Package webhook notifies by posting JSON to a URL: webhook:URL.
package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/notify"
)

// Kind returns the kind of target webhook:URL.
func Kind() notify.Kind {
	return notify.Kind{Scheme: "webhook", Usage: "webhook:URL", Open: open}
}

// Hook posts each message as JSON. The body is Message: its text member is what a
// Slack-compatible incoming webhook shows; the other members are for programs.
type Hook struct {
	url    string
	client *http.Client
}

var _ notify.Notifier = (*Hook)(nil)

// open opens webhook:URL (http or https), posting with env.HTTPClient (nil: one with a
// 30 s timeout). It returns an EINVALID error, which shows nothing of the URL, for a
// target that is not an http or https URL. The name shows only the host, since
// webhook paths often hold a token, and a short digest of the URL, so that two hooks on
// one host (two Slack channels) count apart in the metrics.
func open(_ context.Context, target string, env notify.Env) (notify.Notifier, string, error) {
	raw := target[len("webhook:"):]
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", probity.Errorf(probity.EINVALID, "notify target webhook:...: want webhook:https://HOST/PATH")
	}
	c := env.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	sum := sha256.Sum256([]byte(raw))
	return &Hook{url: raw, client: c}, "webhook:" + u.Scheme + "://" + u.Host + "#" + hex.EncodeToString(sum[:4]), nil
}

// Notify posts m. A 4xx answer other than 408 and 429 is a Permanent error.
func (w *Hook) Notify(ctx context.Context, m notify.Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return notify.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return notify.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "probity")
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("post webhook: %w", stripURL(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return fmt.Errorf("post webhook: %s", resp.Status)
	default:
		return notify.Permanent(fmt.Errorf("post webhook: refused: %s", resp.Status))
	}
}

// stripURL keeps the webhook's URL, which may hold a token, out of errors and logs.
func stripURL(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
