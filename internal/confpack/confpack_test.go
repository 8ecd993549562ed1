package confpack_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/probity-dev/probity/internal/confpack"
	"github.com/probity-dev/probity/internal/sharedtest"
)

// TestDecodeErrors: a bad template is refused with its position and member.
func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"not yaml", "a: [", "p.yaml:1:1: template: invalid YAML or JSON"},
		{"no resources", "Parameters: {}\n", "p.yaml:1:1: Resources: is required"},
		{"no rules", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n", "p.yaml:2:3: Resources: holds no AWS::Config::ConfigRule"},
		{"no identifier", "Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: r\n",
			"p.yaml:5:7: Resources.R.Properties.Source.SourceIdentifier: is required"},
		{"bad requirements", "Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Metadata:\n      Requirements: {a: b}\n    Properties:\n      ConfigRuleName: r\n      Source: {Owner: AWS, SourceIdentifier: X}\n",
			"p.yaml:5:21: Resources.R.Metadata.Requirements: must be a list"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := confpack.Decode("p.yaml", []byte(c.in))
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("got %v, want %s...", err, c.want)
			}
		})
	}
}

// TestSharedPacks reads every pack of ../shared/data/aws-config/conformance-packs
// (skipped when absent): parameters resolve to the pack's defaults, and AWS::NoValue
// leaves one out.
func TestSharedPacks(t *testing.T) {
	dir := sharedtest.Dir(t, "aws-config", "conformance-packs")
	data, err := readFile(dir + "/Operational-Best-Practices-for-CIS-AWS-v1.4-Level1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := confpack.Decode("Operational-Best-Practices-for-CIS-AWS-v1.4-Level1.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "Operational Best Practices for CIS AWS v1.4 Level1" || len(p.Rules) != 44 {
		t.Fatalf("title %q, %d rules", p.Title, len(p.Rules))
	}
	i := slices.IndexFunc(p.Rules, func(r confpack.Rule) bool { return r.SourceIdentifier == "ACCESS_KEYS_ROTATED" })
	if i < 0 || !slices.Equal(p.Rules[i].Params, []confpack.Param{{Name: "maxAccessKeyAge", Value: "90"}}) {
		t.Fatalf("ACCESS_KEYS_ROTATED params: %+v", p.Rules)
	}
}

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }
