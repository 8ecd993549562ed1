package standard_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/confpack"
	"github.com/probity-dev/probity/internal/sharedtest"
	"github.com/probity-dev/probity/internal/standard"
)

// TestPackProcessChecks: in every shared conformance pack, each process check
// (AWS_CONFIG_PROCESS_CHECK) becomes a MANUAL source of its controls, named after the
// rule, saying it is a process check, with the pack's description as troubleshooting
// text; no AWS_Config source names it, so no collection waits for evidence that never
// comes. Managed rules stay AWS_Config sources keyed by their identifier.
func TestPackProcessChecks(t *testing.T) {
	dir := sharedtest.Dir(t, "aws-config", "conformance-packs")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no packs in %s: %v", dir, err)
	}
	total := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		p, err := confpack.Decode(filepath.Base(file), data)
		if err != nil {
			t.Fatal(err)
		}
		checks := map[string]string{} // rule name -> description
		managed := map[string]string{}
		for _, r := range p.Rules {
			if r.SourceIdentifier == confpack.ProcessCheck {
				checks[r.ConfigRuleName] = r.Description
			} else if r.Owner == "AWS" {
				managed[r.ConfigRuleName] = r.SourceIdentifier
			}
		}
		seen := map[string]bool{}
		for _, c := range standard.FromPack(p).Controls {
			for _, s := range c.ControlMappingSources {
				if s.SourceKeyword != nil && s.SourceKeyword.KeywordValue == confpack.ProcessCheck {
					t.Errorf("%s: %s: source %s keeps the keyword %s", p.Title, c.Name, s.SourceName, confpack.ProcessCheck)
				}
				if desc, ok := checks[s.SourceName]; ok {
					seen[s.SourceName] = true
					switch {
					case s.SourceType != probity.SourceTypeManual || s.SourceSetUpOption != probity.SetUpProcedural:
						t.Errorf("%s: %s: process check %s is %s/%s, want MANUAL/Procedural_Controls_Mapping", p.Title, c.Name, s.SourceName, s.SourceType, s.SourceSetUpOption)
					case !strings.Contains(s.SourceDescription, "process check"):
						t.Errorf("%s: %s: description %q does not say it is a process check", p.Title, s.SourceName, s.SourceDescription)
					case desc != "" && (s.TroubleshootingText == "" || !strings.HasPrefix(desc, strings.TrimSuffix(s.TroubleshootingText, "…")[:min(40, len(s.TroubleshootingText))])):
						t.Errorf("%s: %s: troubleshooting text %q, want the pack's description %q", p.Title, s.SourceName, s.TroubleshootingText, desc)
					}
				}
				if id, ok := managed[s.SourceName]; ok && (s.SourceType != probity.SourceTypeConfig || s.SourceKeyword == nil || s.SourceKeyword.KeywordValue != id) {
					t.Errorf("%s: managed rule %s is %s %+v, want AWS_Config %s", p.Title, s.SourceName, s.SourceType, s.SourceKeyword, id)
				}
			}
		}
		for name := range checks {
			if !seen[name] {
				t.Errorf("%s: process check %s is the source of no control", p.Title, name)
			}
		}
		total += len(checks)
	}
	if total == 0 {
		t.Fatal("the packs hold no process check")
	}
	t.Logf("%d process checks in %d packs", total, len(files))
}
