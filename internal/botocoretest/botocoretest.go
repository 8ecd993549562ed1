// Package botocoretest gives tests the AWS Audit Manager service model that botocore
// installs with boto3: the reference for routes, member names and patterns.
package botocoretest

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Decode decodes the model (data/auditmanager/2017-07-25/service-2.json.gz in botocore's
// folder) into v. Without botocore it skips the test on a developer's machine and fails
// it in CI (CI set), where python3 and botocore are installed; a model that does not
// decode fails the test.
func Decode(t testing.TB, v any) {
	t.Helper()
	skip := t.Skipf
	if os.Getenv("CI") != "" {
		skip = t.Fatalf
	}
	out, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		skip("botocore is not installed: cannot read the Audit Manager service model")
	}
	f, err := os.Open(filepath.Join(strings.TrimSpace(string(out)), "data", "auditmanager", "2017-07-25", "service-2.json.gz"))
	if err != nil {
		skip("no auditmanager model in botocore: %v", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(gz).Decode(v); err != nil {
		t.Fatal(err)
	}
}
