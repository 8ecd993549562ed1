package git

import (
	"context"

	"github.com/probity-dev/probity/internal/pipeline"
)

// Kind returns the kind of catalog source of a git repository: an https, http, ssh or
// file URL, #BRANCH optional, polled every env.Interval.
func Kind() pipeline.SourceKind {
	return pipeline.SourceKind{
		Schemes: []string{"https", "http", "ssh", "file"},
		Usage:   "a git URL (https://, ssh://, file://; #BRANCH optional)",
		Open:    open,
	}
}

// open returns the source of spec. It returns an EINVALID error for a malformed URL or
// one whose password would not be kept safe.
func open(_ context.Context, spec string, env pipeline.SourceEnv) (pipeline.Source, error) {
	r, err := New(spec, env.Interval)
	if err != nil {
		return nil, err
	}
	return r, nil
}
