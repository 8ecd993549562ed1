package rules

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
)

// TestKeyRulesCovered checks that every rule of AWS Config's key rule list, plus the
// two the seed needs, is registered with the documented parameters and defaults.
func TestKeyRulesCovered(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(sharedDir(t), "managed-rules", "key_rules.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Rules []struct {
			Identifier string
			Parameters []struct {
				Name    string
				Default *string
			}
		}
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Rules) != 60 {
		t.Errorf("key_rules.json has %d rules, want 60", len(list.Rules))
	}
	for _, kr := range list.Rules {
		r, err := Get(kr.Identifier)
		if err != nil {
			t.Errorf("%s: not implemented", kr.Identifier)
			continue
		}
		for _, kp := range kr.Parameters {
			var got *Param
			for i := range r.Params {
				if r.Params[i].Name == kp.Name {
					got = &r.Params[i]
				}
			}
			if got == nil {
				t.Errorf("%s: parameter %s missing", kr.Identifier, kp.Name)
			} else if kp.Default != nil && got.Default != *kp.Default {
				t.Errorf("%s: parameter %s default %q, want %q", kr.Identifier, kp.Name, got.Default, *kp.Default)
			}
		}
	}
	for _, id := range []string{"S3_DEFAULT_ENCRYPTION_KMS", "EC2_IMDSV2_CHECK"} {
		if _, err := Get(id); err != nil {
			t.Errorf("%s: not implemented", id)
		}
	}
}

// TestTaggedRefusesAWSKeys: requiredKeyTags may not name AWS's own tag keys ("aws:..."),
// which no one can set; every *_TAGGED rule refuses them at Bind rather than judging
// every resource NON_COMPLIANT.
func TestTaggedRefusesAWSKeys(t *testing.T) {
	n := 0
	for _, rule := range All() {
		if !strings.HasSuffix(rule.ID, "_TAGGED") {
			continue
		}
		n++
		_, err := rule.Bind(map[string]string{"requiredKeyTags": "team,aws:cloudformation:stack-name,AWS:x"})
		got := probity.ErrorFields(err)
		want := []probity.FieldError{
			{Name: "requiredKeyTags", Message: `"aws:cloudformation:stack-name" starts with aws:, which AWS keeps for its own tags`},
			{Name: "requiredKeyTags", Message: `"AWS:x" starts with aws:, which AWS keeps for its own tags`},
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: Bind fields %v, want %v", rule.ID, got, want)
		}
	}
	if n == 0 {
		t.Fatal("no *_TAGGED rule")
	}
}
