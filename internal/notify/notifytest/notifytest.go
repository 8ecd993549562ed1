// Package notifytest holds what the tests of the notifiers share: a sample message, a
// target opened through a registry, and the table of target cases every kind runs.
package notifytest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/notify"
)

// Sample is the outcome of a reconcile with one failing file.
var Sample = notify.Message{
	Source: "s3://bucket/catalog", OK: false,
	Subject:  "Probity catalog: 1 file(s) failed, 0 change(s) applied (s3://bucket/catalog)",
	Text:     "Catalog source: s3://bucket/catalog\n\n1 file(s) failed:\ncontrols/a.yaml (not in effect):\n  controls/a.yaml:7:5: datasources[1].sourceType: must be one of AWS_Cloudtrail\n",
	Failures: []notify.Failure{{Path: "controls/a.yaml", Problems: []string{"controls/a.yaml:7:5: datasources[1].sourceType: must be one of AWS_Cloudtrail"}}},
	Time:     time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC),
}

// Open opens target through a registry of the one kind k; it fails the test on error.
func Open(t *testing.T, k notify.Kind, target string, env notify.Env) notify.Target {
	t.Helper()
	r, err := notify.NewRegistry([]notify.Kind{k})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := r.Open(context.Background(), []string{target}, env)
	if err != nil {
		t.Fatal(err)
	}
	return ts[0]
}

// TargetCase is targets to open together, and what the error holds ("" for success).
type TargetCase struct {
	Name    string
	Targets []string
	Want    string
}

// RunTargetCases opens each case's targets with a registry of the one kind k. The
// secret of every target is "s3cret": no name and no error may show it; every error
// holds the case's Want and has the code EINVALID.
func RunTargetCases(t *testing.T, k notify.Kind, env notify.Env, cases []TargetCase) {
	t.Helper()
	r, err := notify.NewRegistry([]notify.Kind{k})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			ts, err := r.Open(context.Background(), tt.Targets, env)
			if tt.Want == "" {
				if err != nil {
					t.Fatal(err)
				}
				for _, tg := range ts {
					if strings.Contains(tg.Name, "s3cret") {
						t.Errorf("name %q shows a secret", tg.Name)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.Want) {
				t.Fatalf("err = %v, want one with %q", err, tt.Want)
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
