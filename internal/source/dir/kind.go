package dir

import (
	"context"

	"github.com/probity-dev/probity/internal/pipeline"
)

// Kind returns the kind of catalog source of a local directory: a spec that is not a URL.
func Kind() pipeline.SourceKind {
	return pipeline.SourceKind{Usage: "a DIRECTORY", Open: open}
}

// open returns the source of the directory at spec. The directory need not exist yet:
// while it is missing the source is down, and nothing it defined is deleted.
func open(_ context.Context, spec string, _ pipeline.SourceEnv) (pipeline.Source, error) {
	t, err := New(spec)
	if err != nil {
		return nil, err
	}
	return t, nil
}
