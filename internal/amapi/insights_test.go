package amapi_test

import (
	"context"
	"crypto/rand"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/insights"
	"github.com/probity-dev/probity/internal/insights/insightstest"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/secret"
)

// TestInsightsOperations serves the insights fixture (internal/insights/insightstest) and
// reads it through the AWS SDK: exact counts, paging, validation, roles and tenancy.
func TestInsightsOperations(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			st := be.open(t)
			f := insightstest.Seed(t, st)
			master := make([]byte, 32)
			rand.Read(master)
			box, err := secret.NewBox(master)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			km := &keys.Manager{Store: st, Box: box, Root: &keys.Root{ID: rootID, Secret: rootSecret, AccountID: insightstest.Account}}
			h, err := amapi.New(amapi.Config{Library: &library.Service{Store: st}, Keys: km,
				Insights: &insights.Service{Store: st, Now: func() time.Time { return insightstest.Now }}})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			as := func(name string, level auth.Level, account, arn string) *am.Client {
				p, sec, err := km.CreateWithARN(ctx, name, level, account, arn)
				if err != nil {
					t.Fatal(err)
				}
				return am.New(am.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
					Credentials: credentials.NewStaticCredentialsProvider(p.KeyID, sec, "")})
			}
			root := client(srv.URL, srv.Client())
			viewer := as("viewer", auth.Viewer, insightstest.Account, f.Viewer.ARN)
			delegate := as("delegate", auth.Editor, insightstest.Account, f.Delegate.ARN)
			other := as("other", auth.Admin, insightstest.Other, "arn:aws:iam::"+insightstest.Other+":role/Owner")
			today := insightstest.Today
			ev := func(c, n, i int32) *types.EvidenceInsights {
				return &types.EvidenceInsights{CompliantEvidenceCount: aws.Int32(c), NoncompliantEvidenceCount: aws.Int32(n), InconclusiveEvidenceCount: aws.Int32(i)}
			}
			opts := cmpopts.IgnoreUnexported(types.Insights{}, types.InsightsByAssessment{}, types.ControlDomainInsights{},
				types.EvidenceInsights{}, types.ControlInsightsMetadataItem{}, types.ControlInsightsMetadataByAssessmentItem{})

			t.Run("GetInsights", func(t *testing.T) {
				out, err := root.GetInsights(ctx, &am.GetInsightsInput{})
				if err != nil {
					t.Fatal(err)
				}
				want := &types.Insights{ActiveAssessmentsCount: aws.Int32(2), CompliantEvidenceCount: aws.Int32(7),
					NoncompliantEvidenceCount: aws.Int32(6), InconclusiveEvidenceCount: aws.Int32(4),
					AssessmentControlsCountByNoncompliantEvidence: aws.Int32(3), TotalAssessmentControlsCount: aws.Int32(8), LastUpdated: &today}
				if d := cmp.Diff(want, out.Insights, opts); d != "" {
					t.Error(d)
				}
				// Another account sees its own assessment only.
				out, err = other.GetInsights(ctx, &am.GetInsightsInput{})
				if err != nil {
					t.Fatal(err)
				}
				if got := aws.ToInt32(out.Insights.NoncompliantEvidenceCount); got != 100 {
					t.Errorf("other account: %d non-compliant, want 100", got)
				}
				if _, err := viewer.GetInsights(ctx, &am.GetInsightsInput{}); err != nil {
					t.Errorf("viewer: %v", err)
				}
			})
			t.Run("GetInsightsByAssessment", func(t *testing.T) {
				for _, tc := range []struct {
					name string
					c    *am.Client
					want *types.InsightsByAssessment
				}{
					{"owner", root, &types.InsightsByAssessment{CompliantEvidenceCount: aws.Int32(6), NoncompliantEvidenceCount: aws.Int32(4),
						InconclusiveEvidenceCount: aws.Int32(3), AssessmentControlsCountByNoncompliantEvidence: aws.Int32(2),
						TotalAssessmentControlsCount: aws.Int32(4), LastUpdated: &today}},
					{"delegate of set 2", delegate, &types.InsightsByAssessment{CompliantEvidenceCount: aws.Int32(0), NoncompliantEvidenceCount: aws.Int32(1),
						InconclusiveEvidenceCount: aws.Int32(1), AssessmentControlsCountByNoncompliantEvidence: aws.Int32(1),
						TotalAssessmentControlsCount: aws.Int32(1), LastUpdated: &today}},
				} {
					out, err := tc.c.GetInsightsByAssessment(ctx, &am.GetInsightsByAssessmentInput{AssessmentId: aws.String(f.A1)})
					if err != nil {
						t.Fatalf("%s: %v", tc.name, err)
					}
					if d := cmp.Diff(tc.want, out.Insights, opts); d != "" {
						t.Errorf("%s: %s", tc.name, d)
					}
				}
				_, err := viewer.GetInsightsByAssessment(ctx, &am.GetInsightsByAssessmentInput{AssessmentId: aws.String(f.A1)})
				wantAPIError(t, "viewer without a role", err, "AccessDeniedException")
				_, err = other.GetInsightsByAssessment(ctx, &am.GetInsightsByAssessmentInput{AssessmentId: aws.String(f.A1)})
				wantAPIError(t, "another account's assessment", err, "ResourceNotFoundException")
				_, err = root.GetInsightsByAssessment(ctx, &am.GetInsightsByAssessmentInput{AssessmentId: aws.String("not-a-uuid")})
				wantAPIError(t, "assessmentId not a UUID", err, "ValidationException")
			})
			t.Run("ListControlDomainInsights", func(t *testing.T) {
				var got []types.ControlDomainInsights
				pages := 0
				p := am.NewListControlDomainInsightsPaginator(root, &am.ListControlDomainInsightsInput{MaxResults: aws.Int32(2)})
				for p.HasMorePages() {
					out, err := p.NextPage(ctx)
					if err != nil {
						t.Fatal(err)
					}
					pages++
					got = append(got, out.ControlDomainInsights...)
				}
				want := []types.ControlDomainInsights{
					{Id: aws.String(insights.DomainID("AC")), Name: aws.String("AC"), ControlsCountByNoncompliantEvidence: aws.Int32(2),
						TotalControlsCount: aws.Int32(2), EvidenceInsights: ev(3, 6, 1), LastUpdated: &today},
					{Id: aws.String(insights.DomainID("AU")), Name: aws.String("AU"), ControlsCountByNoncompliantEvidence: aws.Int32(0),
						TotalControlsCount: aws.Int32(1), EvidenceInsights: ev(4, 0, 0), LastUpdated: &today},
					{Id: aws.String("UNCATEGORIZED"), Name: aws.String("Uncategorized"), ControlsCountByNoncompliantEvidence: aws.Int32(0),
						TotalControlsCount: aws.Int32(1), EvidenceInsights: ev(0, 0, 3), LastUpdated: &today},
				}
				if d := cmp.Diff(want, got, opts); d != "" || pages != 2 {
					t.Errorf("%d pages, want 2; %s", pages, d)
				}
				out, err := root.ListControlDomainInsightsByAssessment(ctx, &am.ListControlDomainInsightsByAssessmentInput{AssessmentId: aws.String(f.A2)})
				if err != nil {
					t.Fatal(err)
				}
				want = []types.ControlDomainInsights{
					{Id: aws.String(insights.DomainID("AC")), Name: aws.String("AC"), ControlsCountByNoncompliantEvidence: aws.Int32(1),
						TotalControlsCount: aws.Int32(2), EvidenceInsights: ev(1, 2, 0), LastUpdated: &today},
					{Id: aws.String("UNCATEGORIZED"), Name: aws.String("Uncategorized"), ControlsCountByNoncompliantEvidence: aws.Int32(0),
						TotalControlsCount: aws.Int32(1), EvidenceInsights: ev(0, 0, 1), LastUpdated: &today},
				}
				if d := cmp.Diff(want, out.ControlDomainInsights, opts); d != "" || out.NextToken != nil {
					t.Error(d)
				}
				for _, tc := range []struct {
					name string
					in   *am.ListControlDomainInsightsInput
				}{
					{"maxResults 0", &am.ListControlDomainInsightsInput{MaxResults: aws.Int32(0)}},
					{"maxResults 1001", &am.ListControlDomainInsightsInput{MaxResults: aws.Int32(1001)}},
					{"forged token", &am.ListControlDomainInsightsInput{NextToken: aws.String("aQAAAAAAAAAA")}},
					{"another listing's token", &am.ListControlDomainInsightsInput{NextToken: aws.String("YQAAAAAAAAAB")}},
				} {
					_, err := root.ListControlDomainInsights(ctx, tc.in)
					wantAPIError(t, tc.name, err, "ValidationException")
				}
				_, err = other.ListControlDomainInsightsByAssessment(ctx, &am.ListControlDomainInsightsByAssessmentInput{AssessmentId: aws.String(f.A2)})
				wantAPIError(t, "another account's assessment", err, "ResourceNotFoundException")
			})
			t.Run("ListControlInsights", func(t *testing.T) {
				c := f.Controls
				out, err := root.ListControlInsightsByControlDomain(ctx, &am.ListControlInsightsByControlDomainInput{ControlDomainId: aws.String(insights.DomainID("AC"))})
				if err != nil {
					t.Fatal(err)
				}
				want := []types.ControlInsightsMetadataItem{
					{Id: aws.String(c["AC1"].ID), Name: aws.String("Account management"), EvidenceInsights: ev(3, 5, 0), LastUpdated: &today},
					{Id: aws.String(c["AC2"].ID), Name: aws.String("Access enforcement"), EvidenceInsights: ev(0, 1, 1), LastUpdated: &today},
				}
				if d := cmp.Diff(want, out.ControlInsightsMetadata, opts); d != "" {
					t.Error(d)
				}
				byA, err := root.ListAssessmentControlInsightsByControlDomain(ctx, &am.ListAssessmentControlInsightsByControlDomainInput{
					AssessmentId: aws.String(f.A1), ControlDomainId: aws.String(insights.DomainID("AC")), MaxResults: aws.Int32(1)})
				if err != nil {
					t.Fatal(err)
				}
				wantA := []types.ControlInsightsMetadataByAssessmentItem{
					{Id: aws.String(c["AC1"].ID), Name: aws.String("Account management"), ControlSetName: aws.String("Set 1"), EvidenceInsights: ev(2, 3, 0), LastUpdated: &today},
				}
				if d := cmp.Diff(wantA, byA.ControlInsightsByAssessment, opts); d != "" || byA.NextToken == nil {
					t.Errorf("first page: %s (nextToken %v)", d, byA.NextToken)
				}
				_, err = root.ListControlInsightsByControlDomain(ctx, &am.ListControlInsightsByControlDomainInput{ControlDomainId: aws.String("Access Control")})
				wantAPIError(t, "domain id of the wrong shape", err, "ValidationException")
				_, err = root.ListControlInsightsByControlDomain(ctx, &am.ListControlInsightsByControlDomainInput{ControlDomainId: aws.String(insights.DomainID("SC"))})
				wantAPIError(t, "unknown domain", err, "ResourceNotFoundException")
				_, err = other.ListAssessmentControlInsightsByControlDomain(ctx, &am.ListAssessmentControlInsightsByControlDomainInput{
					AssessmentId: aws.String(f.A1), ControlDomainId: aws.String(insights.DomainID("AC"))})
				wantAPIError(t, "another account's assessment", err, "ResourceNotFoundException")
			})
		})
	}
}
