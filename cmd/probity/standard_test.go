package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/probity-dev/probity/internal/pgtest"
)

// TestImportCrosswalkCopy walks the standard-content commands on each backend: an OSCAL
// catalog (YAML) with a pattern profile (XML) is imported, then imported again with no
// change; a bad file is refused with its position; a conformance pack whose rules name
// requirements becomes one control per requirement; crosswalk names the controls that
// share a rule; and a standard control is copied into an editable custom one.
func TestImportCrosswalkCopy(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			db := "sqlite:" + filepath.Join(t.TempDir(), "lib.db")
			if backend == "postgres" {
				db = pgtest.DSN(t)
			}
			env := map[string]string{"PROBITY_DB": db}
			run := func(want int, args ...string) string {
				t.Helper()
				code, out, errOut := cli(t, env, args...)
				if code != want {
					t.Fatalf("probity %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
				}
				return out + errOut
			}
			td := filepath.Join("..", "..", "internal", "standard", "testdata")
			imp := []string{"import", "oscal", filepath.Join(td, "catalog.yaml"), "--profile", filepath.Join(td, "profile.xml")}
			if out := run(0, imp...); !strings.Contains(out, "controls: 6 created, 0 updated, 0 unchanged; frameworks: 2 created") {
				t.Fatalf("first import:\n%s", out)
			}
			if out := run(0, imp...); !strings.Contains(out, "controls: 0 created, 0 updated, 6 unchanged; frameworks: 0 created, 0 updated, 2 unchanged") {
				t.Fatalf("second import:\n%s", out)
			}

			dir := t.TempDir()
			bad := filepath.Join(dir, "bad.json")
			if err := os.WriteFile(bad, []byte("{\"catalog\": {\n  \"metadata\": {\"title\": 7}}}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if out := run(1, "import", "oscal", bad); !strings.Contains(out, bad+":2:") || !strings.Contains(out, "catalog.metadata.title: must be a string") {
				t.Fatalf("bad catalog:\n%s", out)
			}
			run(2, "import", "oscal", filepath.Join(dir, "missing.json"))

			pack := filepath.Join(dir, "Example-Pack.yaml")
			if err := os.WriteFile(pack, []byte(examplePack), 0o644); err != nil {
				t.Fatal(err)
			}
			if out := run(0, "import", "conformance-pack", pack); !strings.Contains(out, "Imported 2 standard controls and 1 standard frameworks") {
				t.Fatalf("pack import:\n%s", out)
			}
			out := run(0, "crosswalk", "--rule", "ACCESS_KEYS_ROTATED")
			for _, want := range []string{
				"ACCESS_KEYS_ROTATED\tExample Pack\tExample Pack: AC-2\t",
				"ACCESS_KEYS_ROTATED\tExample Pack\tExample Pack: IA-5(1)\t",
				"ACCESS_KEYS_ROTATED\tOperational Best Practices for CIS AWS v1.4 Level1\t",
				"ACCESS_KEYS_ROTATED\tOperational Best Practices for NIST 800 53 rev 5\t",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("crosswalk lacks %q:\n%s", want, out)
				}
			}
			run(1, "crosswalk", "--rule", "NO_SUCH_RULE")

			id := regexp.MustCompile(`Example Pack: AC-2\t([0-9a-f-]{36})`).FindStringSubmatch(out)[1]
			if out := run(0, "controls", "copy", id, "--name", "My AC-2", "--account-id", "111111111111"); !strings.Contains(out, "Created custom control") {
				t.Fatalf("copy:\n%s", out)
			}
			run(1, "controls", "copy", id, "--name", "My AC-2", "--account-id", "111111111111") // the name is taken
			run(1, "controls", "copy", "0123abcd-0123-4567-89ab-0123456789ab", "--name", "x")
		})
	}
}

const examplePack = `Parameters:
  AccessKeysRotatedParamMaxAccessKeyAge:
    Default: '90'
    Type: String
Resources:
  AccessKeysRotated:
    Metadata:
      Requirements: [AC-2, IA-5(1)]
    Properties:
      ConfigRuleName: access-keys-rotated
      InputParameters:
        maxAccessKeyAge:
          Fn::If:
          - accessKeysRotatedParamMaxAccessKeyAge
          - Ref: AccessKeysRotatedParamMaxAccessKeyAge
          - Ref: AWS::NoValue
      Source:
        Owner: AWS
        SourceIdentifier: ACCESS_KEYS_ROTATED
    Type: AWS::Config::ConfigRule
  RootMfa:
    Metadata:
      Requirements: AC-2
    Properties:
      ConfigRuleName: root-account-mfa-enabled
      Source:
        Owner: AWS
        SourceIdentifier: ROOT_ACCOUNT_MFA_ENABLED
    Type: AWS::Config::ConfigRule
`
