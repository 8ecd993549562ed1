package notify

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/awsconf"
)

// Kind is one kind of notification target. The adapters live in packages named after
// their technology (internal/notify/sns, smtp, webhook), each exposing its Kind;
// cmd/probity holds the one list of built-in kinds. This package imports none of them.
//
// Lifecycle: Registry.Open finds the kind by the target's scheme and calls Open, which
// checks the whole target and returns an error before anything is sent when it is
// wrong. The Notifier it returns is then called by one Dispatcher worker at a time, for
// as long as the process runs; it holds no connection between calls.
type Kind struct {
	// Scheme is what a target starts with, before the colon.
	Scheme string
	// Usage shows the target's form, for help texts and errors.
	Usage string
	// Open checks target and returns its Notifier and a name for logs and metrics that
	// holds no secret. It returns an EINVALID error for a malformed target.
	Open func(ctx context.Context, target string, env Env) (n Notifier, name string, err error)
}

// Env is what notifiers take from the process.
type Env struct {
	// AWSConfig loads the AWS configuration; nil means the standard chain
	// (AWS_REGION, credentials, AWS_ENDPOINT_URL, ...).
	AWSConfig func(ctx context.Context) (aws.Config, error)
	// HTTPClient sends webhooks; nil means one with a 30 s timeout.
	HTTPClient *http.Client
}

// LoadAWSConfig returns the AWS configuration of e.AWSConfig, or of awsconf.Load when
// it is nil. It returns the loader's error unchanged.
func (e Env) LoadAWSConfig(ctx context.Context) (aws.Config, error) {
	if e.AWSConfig != nil {
		return e.AWSConfig(ctx)
	}
	return awsconf.Load(ctx, awsconf.Options{})
}

// Registry opens targets by scheme.
type Registry struct {
	kinds map[string]Kind
	order []string
}

// NewRegistry returns a registry of the kinds. It returns an error when a kind has no
// scheme or no Open function, or when two kinds share a scheme: start-up errors, before
// any target is opened.
func NewRegistry(kinds []Kind) (*Registry, error) {
	r := &Registry{kinds: map[string]Kind{}}
	for _, k := range kinds {
		if k.Scheme == "" || k.Open == nil {
			return nil, fmt.Errorf("notify: kind %q needs a scheme and an Open function", k.Scheme)
		}
		if _, dup := r.kinds[k.Scheme]; dup {
			return nil, fmt.Errorf("notify: two kinds of target are registered for scheme %q", k.Scheme)
		}
		r.kinds[k.Scheme] = k
		r.order = append(r.order, k.Scheme)
	}
	return r, nil
}

// Target is an opened target.
type Target struct {
	Name     string // safe to log: no password, no webhook path
	Notifier Notifier
}

// Open opens each target. It returns an EINVALID error naming the target's kind (never
// its secrets) for an unknown scheme, a malformed target, or the same target twice.
func (r *Registry) Open(ctx context.Context, targets []string, env Env) ([]Target, error) {
	seen := map[string]bool{}
	var out []Target
	for _, t := range targets {
		scheme, _, ok := strings.Cut(t, ":")
		k, known := r.kinds[scheme]
		if !ok || !known {
			return nil, probity.Errorf(probity.EINVALID, "notify target %q: unknown kind; use one of %s",
				redactUnknown(t), r.Usage())
		}
		if seen[t] {
			return nil, probity.Errorf(probity.EINVALID, "notify target of kind %s is given twice", scheme)
		}
		seen[t] = true
		n, name, err := k.Open(ctx, t, env)
		if err != nil {
			return nil, err
		}
		out = append(out, Target{Name: name, Notifier: n})
	}
	return out, nil
}

// Usage returns the forms of target the registry opens, in registration order, joined
// with ", ": for help texts.
func (r *Registry) Usage() string {
	usages := make([]string, 0, len(r.order))
	for _, s := range r.order {
		usages = append(usages, r.kinds[s].Usage)
	}
	return strings.Join(usages, ", ")
}

// Schemes returns the registered schemes in registration order.
func (r *Registry) Schemes() []string { return slices.Clone(r.order) }

// redactUnknown shows no more of an unrecognised target than its scheme-like prefix,
// since it may hold a password.
func redactUnknown(t string) string {
	if i := strings.IndexAny(t, ":/@?"); i >= 0 {
		return t[:i] + "..."
	}
	if len(t) > 12 {
		return t[:12] + "..."
	}
	return t
}
