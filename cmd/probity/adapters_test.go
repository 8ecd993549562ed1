package main

import (
	"context"
	"strings"
	"testing"

	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/pipeline"
)

// TestBuiltInKinds checks that the built-in kinds form registries (no scheme taken
// twice), and that an unknown source or target is answered with every known form.
func TestBuiltInKinds(t *testing.T) {
	ctx := context.Background()
	sources, err := pipeline.NewSourceRegistry(catalogKinds())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(sources.Schemes(), ","), "s3,https,http,ssh,file"; got != want {
		t.Errorf("source schemes = %s, want %s", got, want)
	}
	notifiers, err := notify.NewRegistry(notifyKinds())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(notifiers.Schemes(), ","), "sns,smtp,webhook"; got != want {
		t.Errorf("notify schemes = %s, want %s", got, want)
	}

	tests := []struct {
		name string
		open func() error
		want string
	}{
		{"unknown source", func() error {
			_, err := sources.Open(ctx, []string{"ftp://h/x"}, pipeline.SourceEnv{})
			return err
		}, `catalog source "ftp://h/x": unknown kind; use one of s3://BUCKET[/PREFIX], a git URL (https://, ssh://, file://; #BRANCH optional), a DIRECTORY`},
		{"queue without a bucket", func() error {
			_, err := sources.Open(ctx, []string{"./catalog"}, pipeline.SourceEnv{Queue: "https://sqs/q"})
			return err
		}, "a catalog queue needs exactly one s3:// catalog source, not 0"},
		{"malformed bucket", func() error {
			_, err := sources.Open(ctx, []string{"s3:///x"}, pipeline.SourceEnv{})
			return err
		}, `catalog source "s3:///x": want s3://BUCKET[/PREFIX]`},
		{"unknown target", func() error {
			_, err := notifiers.Open(ctx, []string{"pager://x"}, notify.Env{})
			return err
		}, "unknown kind; use one of sns:TOPIC_ARN, smtp://USER:PASS@HOST:PORT?from=ADDR&to=ADDR, webhook:URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.open(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one with %q", err, tt.want)
			}
		})
	}
	if u := sourceUsage(); u != sources.Usage() {
		t.Errorf("--catalog help %q, registry %q", u, sources.Usage())
	}
	if u := notifyUsage(); u != notifiers.Usage() {
		t.Errorf("--notify help %q, registry %q", u, notifiers.Usage())
	}
}
