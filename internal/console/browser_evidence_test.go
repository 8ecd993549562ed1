package console_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/chromedp/chromedp"

	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/console"
	"github.com/probity-dev/probity/internal/console/browsertest"
	"github.com/probity-dev/probity/internal/store/backendtest"
)

// TestBrowserEvidence drives the dashboard, evidence finder, reports, sources and
// settings in headless Chromium as an admin: the dashboard's numbers equal the API's
// GetInsights and GetInsightsByAssessment (called through the AWS SDK over the same
// store, with the same key); evidence is found and added to the report selection; a
// report is created, watched from IN_PROGRESS to COMPLETE by the page's script, verified
// and downloaded; with screenshots of each page.
func TestBrowserEvidence(t *testing.T) {
	st := backendtest.Open(t, "sqlite")
	e := newEvEnv(t, st, console.Config{})
	k := e.Keys[auth.Admin]
	api, err := amapi.New(amapi.Config{Library: e.Library, Assess: e.Assess, Keys: e.KeyManager, Insights: e.Insights})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	client := am.New(am.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")})

	b := browsertest.Start(t, e.Server.URL)
	b.SignIn(k.ID, k.Secret)

	// The dashboard against the API.
	b.Go("/ui/")
	b.Shot("dashboard")
	metric := func(scope, name string) int {
		t.Helper()
		s := browsertest.Get(b, chromedp.Text(chromedp.CSS(scope+` [data-metric="`+name+`"]`)))
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			t.Fatalf("%s %s: %q", scope, name, s)
		}
		return n
	}
	ctx := context.Background()
	ins, err := client.GetInsights(ctx, &am.GetInsightsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]*int32{"compliant": ins.Insights.CompliantEvidenceCount, "noncompliant": ins.Insights.NoncompliantEvidenceCount,
		"inconclusive": ins.Insights.InconclusiveEvidenceCount, "noncompliantcontrols": ins.Insights.AssessmentControlsCountByNoncompliantEvidence,
		"totalcontrols": ins.Insights.TotalAssessmentControlsCount} {
		if got := metric("#all", name); got != int(aws.ToInt32(want)) {
			t.Errorf("dashboard %s = %d, GetInsights says %d", name, got, aws.ToInt32(want))
		}
	}
	for _, id := range []string{e.Fix.A1, e.Fix.A2} {
		byA, err := client.GetInsightsByAssessment(ctx, &am.GetInsightsByAssessmentInput{AssessmentId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		scope := `[data-assessment="` + id + `"]`
		for name, want := range map[string]*int32{"compliant": byA.Insights.CompliantEvidenceCount, "noncompliant": byA.Insights.NoncompliantEvidenceCount,
			"inconclusive": byA.Insights.InconclusiveEvidenceCount, "noncompliantcontrols": byA.Insights.AssessmentControlsCountByNoncompliantEvidence,
			"totalcontrols": byA.Insights.TotalAssessmentControlsCount} {
			if got := metric(scope, name); got != int(aws.ToInt32(want)) {
				t.Errorf("dashboard %s of %s = %d, GetInsightsByAssessment says %d", name, id, got, aws.ToInt32(want))
			}
		}
	}

	// Find A1's non-compliant evidence and add two items to the report selection.
	b.Go("/ui/evidence")
	b.Run(chromedp.SetValue(chromedp.ID("assessmentId"), e.Fix.A1), chromedp.SetValue(chromedp.ID("compliance"), "NON_COMPLIANT"))
	b.Follow(`form.filters button[type="submit"]`)
	b.Shot("evidence")
	b.Run(chromedp.Click(chromedp.CSS(`input[name="ev"]`)), chromedp.Click(chromedp.CSS(`tbody tr:nth-child(2) input[name="ev"]`)))
	if status := b.Follow(`form.found button[type="submit"]`); status != 200 {
		t.Fatalf("add to the selection: %d", status)
	}
	if text := b.Text(); !strings.Contains(text, "Added to the assessment report selection.") || strings.Count(text, "Yes") != 2 {
		t.Fatalf("after adding to the selection:\n%s", text)
	}

	// Create a report from the selection; its page turns COMPLETE by itself once the job ran.
	b.Go("/ui/reports")
	b.Run(chromedp.SetValue(chromedp.ID("assessmentId"), e.Fix.A1), chromedp.SendKeys(chromedp.ID("name"), "browser-report"))
	if status := b.Follow(`form[action="/ui/reports"] button[type="submit"]`); status != 200 {
		t.Fatalf("create report: %d", status)
	}
	if text := b.Text(); !strings.Contains(text, "IN_PROGRESS") {
		t.Fatalf("new report page:\n%s", text)
	}
	e.Queue.runAll(t, e.Reports)
	b.Run(chromedp.WaitVisible(chromedp.ID("verify-result")))
	if text := b.Text(); !strings.Contains(text, "COMPLETE") || !strings.Contains(text, "Valid: every one of its") {
		t.Fatalf("completed report page:\n%s", text)
	}
	b.Shot("report")
	got := browsertest.Get(b, chromedp.Evaluate[string](`fetch(document.getElementById("download").href).then(r =>
		r.arrayBuffer().then(buf => r.status + " " + r.headers.get("Content-Type") + " " + buf.byteLength + " " +
			String.fromCharCode(...new Uint8Array(buf).slice(0, 2))))`, chromedp.EvalAwaitPromise))
	if f := strings.Fields(got); len(f) != 4 || f[0] != "200" || f[1] != "application/zip" || f[3] != "PK" || f[2] == "0" {
		t.Errorf("download: %q", got)
	}
	b.Go("/ui/reports")
	b.Shot("reports")

	b.Go("/ui/sources")
	b.Shot("sources")
	b.Go("/ui/settings")
	b.Shot("settings")
}
