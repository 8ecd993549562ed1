package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
)

// fakeKind is a kind whose sources are static sources named by their spec; a spec that
// holds "bad" is refused.
func fakeKind(usage string, schemes ...string) SourceKind {
	return SourceKind{Schemes: schemes, Usage: usage, Open: func(_ context.Context, spec string, _ SourceEnv) (Source, error) {
		if strings.Contains(spec, "bad") {
			return nil, invalidf("catalog source %s: bad", usage)
		}
		return &staticSource{name: spec}, nil
	}}
}

func TestNewSourceRegistry(t *testing.T) {
	tests := []struct {
		name  string
		kinds []SourceKind
		want  string // substring of the error; "" for success
	}{
		{"distinct", []SourceKind{fakeKind("S3", "s3"), fakeKind("GIT", "https", "ssh"), fakeKind("DIR")}, ""},
		{"none", nil, ""},
		{"duplicate scheme", []SourceKind{fakeKind("S3", "s3"), fakeKind("GIT", "https", "ssh"), fakeKind("HG", "ssh")},
			`two kinds of catalog source (GIT, HG) are registered for scheme "ssh"`},
		{"two kinds of path", []SourceKind{fakeKind("DIR"), fakeKind("ZIP")}, "two kinds of catalog source (DIR, ZIP) open paths"},
		{"no Open", []SourceKind{{Schemes: []string{"s3"}, Usage: "S3"}}, "needs a usage and an Open function"},
		{"no usage", []SourceKind{{Schemes: []string{"s3"}, Open: fakeKind("S3").Open}}, "needs a usage and an Open function"},
		{"empty scheme", []SourceKind{fakeKind("S3", "")}, "is not a lower-case URL scheme"},
		{"scheme with its separator", []SourceKind{fakeKind("S3", "s3://")}, "is not a lower-case URL scheme"},
		{"upper-case scheme", []SourceKind{fakeKind("S3", "S3")}, "is not a lower-case URL scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSourceRegistry(tt.kinds)
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

func TestSourceRegistryOpen(t *testing.T) {
	s3 := fakeKind("s3://BUCKET", "s3")
	// Like the s3 kind: a queue needs exactly one spec of the kind.
	s3.Validate = func(specs []string, env SourceEnv) error {
		if env.Queue != "" && len(specs) != 1 {
			return invalidf("a catalog queue needs exactly one s3:// catalog source, not %d", len(specs))
		}
		return nil
	}
	r, err := NewSourceRegistry([]SourceKind{s3, fakeKind("a git URL", "https", "file"), fakeKind("a DIRECTORY")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Usage(), "s3://BUCKET, a git URL, a DIRECTORY"; got != want {
		t.Errorf("Usage() = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"s3", "https", "file"}, r.Schemes()); diff != "" {
		t.Errorf("Schemes() (-want +got):\n%s", diff)
	}
	tests := []struct {
		name  string
		specs []string
		queue string
		want  string // substring of the error; "" for success
	}{
		{"every kind", []string{"s3://b/p", "https://h/r.git#main", "file:///r", "./catalog", "/abs/catalog"}, "", ""},
		{"scheme in capitals", []string{"S3://b", "HTTPS://h/r.git"}, "", ""},
		{"none", nil, "", ""},
		{"a queue with its one bucket", []string{"s3://b", "./catalog"}, "https://sqs/q", ""},
		{"unknown, the known ones listed", []string{"./catalog", "ftp://u:s3cret@h/x?token=s3cret"},
			"", `catalog source "ftp://u:xxxxx@h/x?token=xxxxx": unknown kind; use one of s3://BUCKET, a git URL, a DIRECTORY`},
		{"a queue without a bucket", []string{"./catalog"}, "https://sqs/q", "a catalog queue needs exactly one s3:// catalog source, not 0"},
		{"a queue with two buckets", []string{"s3://a", "s3://b"}, "https://sqs/q", "not 2"},
		{"the kind refuses it", []string{"s3://bad"}, "", "catalog source s3://BUCKET: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srcs, err := r.Open(context.Background(), tt.specs, SourceEnv{Queue: tt.queue})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, s := range srcs {
					got = append(got, s.Name())
				}
				if diff := cmp.Diff(tt.specs, got); diff != "" {
					t.Errorf("sources, in order (-want +got):\n%s", diff)
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

// TestSourceRegistryLoadsAWSOnce checks that every kind that asks gets one AWS
// configuration, loaded once, and that none is loaded when no kind asks.
func TestSourceRegistryLoadsAWSOnce(t *testing.T) {
	aws1 := fakeKind("s3://BUCKET", "s3")
	aws1.Open = func(ctx context.Context, spec string, env SourceEnv) (Source, error) {
		if _, err := env.LoadAWSConfig(ctx); err != nil {
			return nil, err
		}
		return &staticSource{name: spec}, nil
	}
	r, err := NewSourceRegistry([]SourceKind{aws1, fakeKind("a DIRECTORY")})
	if err != nil {
		t.Fatal(err)
	}
	loads := 0
	env := SourceEnv{AWSConfig: func(context.Context) (aws.Config, error) { loads++; return aws.Config{}, nil }}
	if _, err := r.Open(context.Background(), []string{"./catalog"}, env); err != nil || loads != 0 {
		t.Fatalf("no s3 source: err %v, %d loads, want none", err, loads)
	}
	if _, err := r.Open(context.Background(), []string{"s3://a", "s3://b", "./catalog"}, env); err != nil || loads != 1 {
		t.Fatalf("two s3 sources: err %v, %d loads, want 1", err, loads)
	}
	env.AWSConfig = func(context.Context) (aws.Config, error) { return aws.Config{}, errors.New("no region") }
	if _, err := r.Open(context.Background(), []string{"s3://a"}, env); err == nil || !strings.Contains(err.Error(), "load AWS configuration: no region") {
		t.Fatalf("err = %v, want the loader's", err)
	}
}
