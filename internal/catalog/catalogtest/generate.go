// Package catalogtest writes large synthetic catalogs for tests and benchmarks.
package catalogtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Spec describes a synthetic catalog.
type Spec struct {
	Controls     int    // number of controls
	Frameworks   int    // number of frameworks
	PerFramework int    // controls in each framework, drawn in turn from all controls
	Revision     string // goes into every description, so two revisions differ everywhere
}

// Write writes the catalog under dir as controls/cNNNNN.yaml and frameworks/fNNNN.yaml
// and returns dir. It returns an error when a file cannot be written.
func Write(dir string, s Spec) (string, error) {
	for _, sub := range []string{"controls", "frameworks"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return "", err
		}
	}
	for i := range s.Controls {
		if err := os.WriteFile(filepath.Join(dir, "controls", fmt.Sprintf("c%05d.yaml", i)), Control(i, s.Revision), 0o644); err != nil {
			return "", err
		}
	}
	for f := range s.Frameworks {
		var b strings.Builder
		fmt.Fprintf(&b, "name: Framework %04d\ndescription: Synthetic framework %d, revision %s\ncomplianceType: Synthetic\ncontrolSets:\n", f, f, s.Revision)
		for set := range 5 {
			fmt.Fprintf(&b, "  - name: Set %d\n    controls:\n", set)
			for k := range s.PerFramework / 5 {
				n := (f*s.PerFramework + set*(s.PerFramework/5) + k) % max(1, s.Controls)
				fmt.Fprintf(&b, "      - Control %05d\n", n)
			}
		}
		b.WriteString("tags:\n  Generated: \"true\"\n")
		if err := os.WriteFile(filepath.Join(dir, "frameworks", fmt.Sprintf("f%04d.yaml", f)), []byte(b.String()), 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// Control returns the file of synthetic control i: three data sources and six tags, about
// the size of a real custom control.
func Control(i int, revision string) []byte {
	return fmt.Appendf(nil, `name: Control %05d
description: Synthetic control %d, revision %s. Resources are configured as the policy requires and deviations are remediated within the agreed time.
testingInformation: Inspect the evidence collected for the control and confirm it is compliant.
actionPlanTitle: Remediate control %d
actionPlanInstructions: Follow the runbook for control %d and attach the change ticket.
tags:
  ID: SYN-%d
  Category: Synthetic
  Owner: team-%d
  Framework: NIST SP 800-53 Rev 5
  Family: AC
  Revision: %q
datasources:
  - sourceName: Config rule
    sourceType: AWS_Config
    sourceFrequency: DAILY
    sourceKeyword:
      keywordInputType: SELECT_FROM_LIST
      keywordValue: S3_BUCKET_VERSIONING_ENABLED
  - sourceName: Security Hub control
    sourceType: AWS_Security_Hub
    sourceKeyword:
      keywordInputType: SELECT_FROM_LIST
      keywordValue: S3.%d
  - sourceName: Manual review
    sourceType: MANUAL
    sourceKeyword:
      keywordInputType: UPLOAD_FILE
`, i, i, revision, i, i, i, i%17, revision, i%20+1)
}
