package notify

import (
	"context"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
)

// fakeKind is a kind whose targets open when they hold no "bad" and are named by their
// scheme, since they may hold a secret.
func fakeKind(scheme string) Kind {
	return Kind{Scheme: scheme, Usage: scheme + ":THING", Open: func(_ context.Context, target string, _ Env) (Notifier, string, error) {
		if strings.Contains(target, "bad") {
			return nil, "", probity.Errorf(probity.EINVALID, "notify target %s:...: bad", scheme)
		}
		return nopNotifier{}, scheme + ":...", nil
	}}
}

type nopNotifier struct{}

func (nopNotifier) Notify(context.Context, Message) error { return nil }

func TestNewRegistry(t *testing.T) {
	tests := []struct {
		name  string
		kinds []Kind
		want  string // substring of the error; "" for success
	}{
		{"distinct", []Kind{fakeKind("a"), fakeKind("b")}, ""},
		{"none", nil, ""},
		{"duplicate scheme", []Kind{fakeKind("a"), fakeKind("b"), fakeKind("a")}, `two kinds of target are registered for scheme "a"`},
		{"no scheme", []Kind{{Usage: "x", Open: fakeKind("a").Open}}, "needs a scheme and an Open function"},
		{"no Open", []Kind{{Scheme: "a", Usage: "a:X"}}, "needs a scheme and an Open function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewRegistry(tt.kinds)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one with %q", err, tt.want)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	r, err := NewRegistry([]Kind{fakeKind("sns"), fakeKind("smtp"), fakeKind("webhook")})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Schemes(), ","); got != "sns,smtp,webhook" {
		t.Errorf("Schemes() = %s", got)
	}
	if got, want := r.Usage(), "sns:THING, smtp:THING, webhook:THING"; got != want {
		t.Errorf("Usage() = %q, want %q", got, want)
	}
	tests := []struct {
		name    string
		targets []string
		want    string // substring of the error; "" for success
	}{
		{"known kinds", []string{"sns:x", "smtp://u:s3cret@x", "webhook:y"}, ""},
		{"none", nil, ""},
		{"unknown, the known ones listed", []string{"pager://u:s3cret@x"}, `notify target "pager...": unknown kind; use one of sns:THING, smtp:THING, webhook:THING`},
		{"no scheme", []string{"no-scheme-at-all-s3cret"}, `notify target "no-scheme-at...": unknown kind; use one of sns:THING`},
		{"twice", []string{"webhook:a", "webhook:a"}, "notify target of kind webhook is given twice"},
		{"the kind refuses it", []string{"smtp://u:s3cret@bad"}, "notify target smtp:...: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := r.Open(context.Background(), tt.targets, Env{})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(ts) != len(tt.targets) {
					t.Fatalf("%d targets opened, want %d", len(ts), len(tt.targets))
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
