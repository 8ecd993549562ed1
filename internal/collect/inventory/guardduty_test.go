package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestGuardDutyFindings collects a detector from moto and its findings from recorded
// responses: moto lacks ListFindings and GetFindings (it answers 404), so an httptest
// server answers those two with AWS's documented JSON response shapes (two pages of
// finding ids, findings by id) and forwards every other request to moto. It checks that
// only findings that are not archived are asked for, that GetFindings gets at most 50 ids
// at a time, the fact guardduty.Findings, and GUARDDUTY_NON_ARCHIVED_FINDINGS on it; and
// that against moto alone the findings are skipped and the detectors kept.
func TestGuardDutyFindings(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	det, err := guardduty.NewFromConfig(m.Config()).CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	must(t, err)
	detector := aws.ToString(det.DetectorId)
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	ids := make([]string, 60)
	for i := range ids {
		ids[i] = fmt.Sprintf("f%02d", i)
	}
	// finding f00 is high severity and three days old; the others are recent low ones.
	finding := func(id string) map[string]any {
		sev, created := 2.0, now.Add(-time.Hour)
		if id == "f00" {
			sev, created = 8.0, now.Add(-72*time.Hour)
		}
		return map[string]any{"id": id, "accountId": "123456789012", "arn": "arn:aws:guardduty:us-east-1:123456789012:detector/" + detector + "/finding/" + id,
			"region": "us-east-1", "schemaVersion": "2.0", "type": "Recon:EC2/PortProbeUnprotectedPort", "severity": sev, "title": "t", "description": "d",
			"createdAt": created.Format("2006-01-02T15:04:05.000Z"), "updatedAt": created.Format("2006-01-02T15:04:05.000Z"),
			"resource": map[string]any{"resourceType": "Instance"}, "service": map[string]any{"archived": false, "count": 1, "serviceName": "guardduty"}}
	}
	var mu sync.Mutex
	var criteria []string
	var batches []int
	findingsPath := regexp.MustCompile(`^POST /detector/[^/]+/findings(/get)?$`)
	cfg := recorded(t, m, func(c recordedCall) (int, string, bool) {
		path := findingsPath.FindStringSubmatch(c.Op)
		if path == nil {
			return 0, "", false
		}
		var body struct {
			FindingCriteria json.RawMessage `json:"findingCriteria"`
			FindingIds      []string        `json:"findingIds"`
			NextToken       string          `json:"nextToken"`
		}
		_ = json.Unmarshal(c.Body, &body)
		mu.Lock()
		defer mu.Unlock()
		if path[1] == "" { // ListFindings: two pages
			criteria = append(criteria, string(body.FindingCriteria))
			page := map[string]any{"findingIds": ids[:40], "nextToken": "page2"}
			if body.NextToken == "page2" {
				page = map[string]any{"findingIds": ids[40:]}
			}
			return http.StatusOK, jsonText(t, page), true
		}
		batches = append(batches, len(body.FindingIds))
		var out []map[string]any
		for _, id := range body.FindingIds {
			out = append(out, finding(id))
		}
		return http.StatusOK, jsonText(t, map[string]any{"findings": out}), true
	})

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: "123456789012", Region: mototest.Region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	acct := ci.NewDecoder(bytes.NewReader(buf.Bytes()))
	for {
		if _, err := acct.Next(); err != nil {
			break
		}
	}
	facts := acct.Account()
	if !facts.Has("guardduty.Findings") || len(facts.GuardDutyFindings[detector]) != 60 {
		t.Fatalf("guardduty.Findings = %v findings of detector %s, want 60", len(facts.GuardDutyFindings[detector]), detector)
	}
	slices.Sort(batches)
	if want := []int{10, 50}; !slices.Equal(batches, want) {
		t.Errorf("GetFindings batch sizes = %v, want %v", batches, want)
	}
	for _, c := range criteria {
		if !strings.Contains(c, `"service.archived":{"eq":["false"]}`) && !strings.Contains(c, `"service.archived":{"equals":["false"]}`) {
			t.Errorf("ListFindings criteria = %s, want service.archived false", c)
		}
	}
	f0 := facts.GuardDutyFindings[detector][0]
	if d := cmp.Diff(ci.GuardDutyFinding{ID: "f00", Type: "Recon:EC2/PortProbeUnprotectedPort", Severity: 8, CreatedAt: "2024-05-29T00:00:00Z", UpdatedAt: "2024-05-29T00:00:00Z"}, f0); d != "" {
		t.Errorf("first finding (-want +got):\n%s", d)
	}
	rule, err := rules.Get("GUARDDUTY_NON_ARCHIVED_FINDINGS")
	must(t, err)
	check, err := rule.Bind(nil)
	must(t, err)
	res, err := check.EvaluateAccount(facts, rules.Env{Now: now})
	must(t, err)
	want := []rules.Result{{ResourceType: "AWS::::Account", ResourceID: "123456789012", ComplianceType: rules.NonCompliant,
		Annotation: "Findings left unarchived too long: 1 high, 0 medium, 0 low severity."}}
	if d := cmp.Diff(want, res); d != "" {
		t.Errorf("GUARDDUTY_NON_ARCHIVED_FINDINGS (-want +got):\n%s", d)
	}

	// moto alone: the findings are skipped, the detectors kept.
	alone, err := (&inventory.Inventory{}).Snapshot(ctx, m.Config(), inventory.Options{Account: "123456789012", Region: mototest.Region})
	must(t, err)
	if _, ok := alone.Account["guardduty.Findings"]; ok {
		t.Error("guardduty.Findings recorded though moto lacks ListFindings")
	}
	if _, ok := alone.Account["guardduty.Detectors"]; !ok {
		t.Error("guardduty.Detectors left out when only the findings are unavailable")
	}
	if !slices.ContainsFunc(alone.Skipped, func(s inventory.Skip) bool { return s.Part == "guardduty.findings" }) {
		t.Errorf("skipped = %v, want guardduty.findings", alone.Skipped)
	}
}
