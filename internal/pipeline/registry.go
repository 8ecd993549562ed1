package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/redact"
)

// SourceKind is one kind of catalog source. The adapters live in packages named after
// their technology (internal/source/s3, git, dir), each exposing its Kind; cmd/probity
// holds the one list of built-in kinds.
//
// Lifecycle: Registry.Open finds each spec's kind by its URL scheme (a spec without
// "://" goes to the kind with no scheme). Before anything is opened it calls each kind's
// Validate once with all the specs of that kind, possibly none, so that rules across
// specs and options fail before any source exists. It then calls Open for each spec, in
// the order given; the Source returned is run by a Pipeline as Source describes, until
// the pipeline's context ends.
type SourceKind struct {
	// Schemes are the URL schemes of the specs the kind opens ("s3" for s3://...).
	// None means the kind opens specs that are not URLs (local paths); at most one kind
	// of a registry may have none.
	Schemes []string
	// Usage shows the spec's form, for help texts and errors.
	Usage string
	// Validate, when not nil, checks the kind's specs and env together. It returns an
	// EINVALID error when they do not fit (a queue without exactly one bucket, say).
	Validate func(specs []string, env SourceEnv) error
	// Open checks spec and returns its Source. It returns an EINVALID error for a
	// malformed spec, and other errors (a configuration that cannot be loaded) wrapped
	// with what failed; neither quotes a secret of the spec.
	Open func(ctx context.Context, spec string, env SourceEnv) (Source, error)
}

// SourceEnv is what sources take from the process: the settings sources named by
// strings share.
type SourceEnv struct {
	// Interval is the poll period of sources that poll (default 30 s).
	Interval time.Duration
	// Queue is the SQS queue URL of the one s3 source, when it has one.
	Queue string
	// PathStyle addresses S3 as ENDPOINT/BUCKET/KEY, as many S3-compatible stores need.
	PathStyle bool
	// AWSConfig loads the AWS configuration; nil means the standard chain (AWS_REGION,
	// credentials, AWS_ENDPOINT_URL, ...). Registry.Open calls it at most once, and only
	// when a kind asks for it with LoadAWSConfig.
	AWSConfig func(ctx context.Context) (aws.Config, error)
	// WaitSeconds is the SQS long-poll wait (default 20).
	WaitSeconds int32
	// Logger; nil discards.
	Logger *slog.Logger
}

// LoadAWSConfig returns the AWS configuration of env.AWSConfig, or of awsconf.Load when
// it is nil. It returns the loader's error wrapped.
func (e SourceEnv) LoadAWSConfig(ctx context.Context) (aws.Config, error) {
	load := e.AWSConfig
	if load == nil {
		load = func(ctx context.Context) (aws.Config, error) { return awsconf.Load(ctx, awsconf.Options{}) }
	}
	cfg, err := load(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return cfg, nil
}

// SourceRegistry opens catalog sources by scheme.
type SourceRegistry struct {
	kinds    []SourceKind
	byScheme map[string]int // index into kinds
	path     int            // index of the kind with no scheme; -1 for none
}

// NewSourceRegistry returns a registry of the kinds. It returns an error when a kind has
// no Open function or no usage, when two kinds share a scheme, or when two kinds have
// no scheme: start-up errors, before any source is opened.
func NewSourceRegistry(kinds []SourceKind) (*SourceRegistry, error) {
	r := &SourceRegistry{byScheme: map[string]int{}, path: -1}
	for i, k := range kinds {
		if k.Open == nil || k.Usage == "" {
			return nil, fmt.Errorf("pipeline: source kind %q needs a usage and an Open function", k.Usage)
		}
		if len(k.Schemes) == 0 {
			if r.path >= 0 {
				return nil, fmt.Errorf("pipeline: two kinds of catalog source (%s, %s) open paths", kinds[r.path].Usage, k.Usage)
			}
			r.path = i
		}
		for _, s := range k.Schemes {
			if s == "" || s != strings.ToLower(s) || strings.ContainsAny(s, ":/") {
				return nil, fmt.Errorf("pipeline: source kind %s: scheme %q is not a lower-case URL scheme", k.Usage, s)
			}
			if j, dup := r.byScheme[s]; dup {
				return nil, fmt.Errorf("pipeline: two kinds of catalog source (%s, %s) are registered for scheme %q", kinds[j].Usage, k.Usage, s)
			}
			r.byScheme[s] = i
		}
		r.kinds = append(r.kinds, k)
	}
	return r, nil
}

// Usage returns the forms of spec the registry opens, in registration order, joined with
// ", ": for help texts.
func (r *SourceRegistry) Usage() string {
	usages := make([]string, len(r.kinds))
	for i, k := range r.kinds {
		usages[i] = k.Usage
	}
	return strings.Join(usages, ", ")
}

// Schemes returns the registered URL schemes in registration order.
func (r *SourceRegistry) Schemes() []string {
	var out []string
	for _, k := range r.kinds {
		out = append(out, k.Schemes...)
	}
	return out
}

// kindOf returns the index of spec's kind, or an EINVALID error naming every known form
// when no kind opens it.
func (r *SourceRegistry) kindOf(spec string) (int, error) {
	scheme, _, isURL := strings.Cut(spec, "://")
	if !isURL {
		if r.path >= 0 {
			return r.path, nil
		}
	} else if i, ok := r.byScheme[strings.ToLower(scheme)]; ok {
		return i, nil
	}
	return 0, invalidf("catalog source %q: unknown kind; use one of %s", redact.URL(spec), r.Usage())
}

// Open opens a source for each spec, in order, as SourceKind describes. It returns an
// EINVALID error for an unknown scheme (listing the known forms), for specs a kind's
// Validate refuses and for a malformed spec, and the error of a kind's Open otherwise;
// no error quotes a secret of a spec.
func (r *SourceRegistry) Open(ctx context.Context, specs []string, env SourceEnv) ([]Source, error) {
	if env.Interval <= 0 {
		env.Interval = 30 * time.Second
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	// Every kind that asks gets the one configuration, loaded once.
	load := env.AWSConfig
	if load == nil {
		load = func(ctx context.Context) (aws.Config, error) { return awsconf.Load(ctx, awsconf.Options{}) }
	}
	once := sync.OnceValues(func() (aws.Config, error) { return load(ctx) })
	env.AWSConfig = func(context.Context) (aws.Config, error) { return once() }
	idx := make([]int, len(specs))
	perKind := make([][]string, len(r.kinds))
	for i, spec := range specs {
		k, err := r.kindOf(spec)
		if err != nil {
			return nil, err
		}
		idx[i] = k
		perKind[k] = append(perKind[k], spec)
	}
	for i, k := range r.kinds {
		if k.Validate != nil {
			if err := k.Validate(slices.Clip(perKind[i]), env); err != nil {
				return nil, err
			}
		}
	}
	out := make([]Source, 0, len(specs))
	for i, spec := range specs {
		src, err := r.kinds[idx[i]].Open(ctx, spec, env)
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, nil
}
