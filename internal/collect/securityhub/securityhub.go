// Package securityhub collects AWS_Security_Hub evidence: the findings of one Security
// Hub control (the source's keyword, such as IAM.1) that Security Hub updated in the span a
// collection reads, each as compliance-check evidence.
package securityhub

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/collect/target"
	"github.com/probity-dev/probity/internal/jobs"
)

// EventSource is the eventSource of Security Hub evidence.
const EventSource = "securityhub.amazonaws.com"

// controlPattern is what a Security Hub control id looks like: IAM.1, CloudTrail.2, EC2.19.
var controlPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*\.[0-9]+$`)

// Collector collects the findings of a Security Hub control.
//
// What a collection returns, for the task's account, in every region collected in: one
// evidence per finding whose Compliance.SecurityControlId is the keyword (the consolidated
// control findings Security Hub has produced since 2023), whose account is the task's
// account (a Security Hub administrator also sees its members' findings, which their own
// tasks collect), whose region is the region asked (an aggregation region also returns
// the other regions'), whose record state is ACTIVE (archived findings are of resources
// that are gone), and whose UpdatedAt falls in target.Span of the task. GetFindings
// returns the latest state of each finding, so a finding updated several times before a
// collection is one evidence, in its latest state; every later update is evidence again in
// the window it falls in. The filters are sent to Security Hub and applied again here, as
// emulators ignore them.
type Collector struct {
	Accounts *target.Accounts
}

var _ jobs.Collector = (*Collector)(nil)

// Collect implements jobs.Collector. It returns an EINVALID error for a keyword that is not
// a control id, and the AWS error, with its region, when Security Hub cannot be read (it
// is not enabled in a region collected in, say).
func (c *Collector) Collect(ctx context.Context, task jobs.Task) ([]probity.Evidence, error) {
	control := ""
	if k := task.Source.SourceKeyword; k != nil {
		control = k.KeywordValue
	}
	if !controlPattern.MatchString(control) {
		return nil, probity.Errorf(probity.EINVALID, "AWS_Security_Hub keyword %q: want a Security Hub control id such as IAM.1", control)
	}
	cfg, err := c.Accounts.Config(ctx, task.Target)
	if err != nil {
		return nil, err
	}
	span := target.Span(task)
	return c.Accounts.EachRegion(ctx, cfg, func(ctx context.Context, region string) ([]probity.Evidence, error) {
		return collectRegion(ctx, securityhub.NewFromConfig(cfg, func(o *securityhub.Options) { o.Region = region }),
			control, task.Target, region, span)
	})
}

func collectRegion(ctx context.Context, client *securityhub.Client, control, account, region string, span jobs.Window) ([]probity.Evidence, error) {
	eq := func(v string) []types.StringFilter {
		return []types.StringFilter{{Value: aws.String(v), Comparison: types.StringFilterComparisonEquals}}
	}
	in := &securityhub.GetFindingsInput{
		Filters: &types.AwsSecurityFindingFilters{
			ComplianceSecurityControlId: eq(control),
			AwsAccountId:                eq(account),
			RecordState:                 eq(string(types.RecordStateActive)),
			UpdatedAt: []types.DateFilter{{
				Start: aws.String(span.Start.Format(time.RFC3339)),
				End:   aws.String(span.End.Format(time.RFC3339)),
			}},
		},
		MaxResults: aws.Int32(100),
	}
	var out []probity.Evidence
	seen := map[string]bool{}
	for p := securityhub.NewGetFindingsPaginator(client, in); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("Security Hub GetFindings: %w", err)
		}
		for _, f := range page.Findings {
			updated, ok := matches(f, control, account, region, span)
			key := aws.ToString(f.ProductArn) + "\x00" + aws.ToString(f.Id)
			if !ok || seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, evidenceOf(f, updated))
		}
	}
	return out, nil
}

// matches applies the collection's filters to f, returning its update time.
func matches(f types.AwsSecurityFinding, control, account, region string, span jobs.Window) (time.Time, bool) {
	if f.Compliance == nil || aws.ToString(f.Compliance.SecurityControlId) != control ||
		aws.ToString(f.AwsAccountId) != account || f.RecordState != types.RecordStateActive ||
		(f.Region != nil && *f.Region != region) {
		return time.Time{}, false
	}
	updated, err := time.Parse(time.RFC3339Nano, aws.ToString(f.UpdatedAt))
	if err != nil || updated.Before(span.Start) || !updated.Before(span.End) {
		return time.Time{}, false
	}
	return updated.UTC(), true
}

// Compliance returns the evidence's complianceCheck for a Security Hub compliance status,
// as Audit Manager classes it: PASSED is COMPLIANT, FAILED is NON_COMPLIANT, and WARNING,
// NOT_AVAILABLE or no status is no check at all (empty: the evidence is inconclusive; the
// status itself is kept in the evidence's attributes).
func Compliance(s types.ComplianceStatus) string {
	switch s {
	case types.ComplianceStatusPassed:
		return probity.ComplianceCompliant
	case types.ComplianceStatusFailed:
		return probity.ComplianceNonCompliant
	}
	return ""
}

// evidenceOf returns the evidence of a finding, at the time Security Hub updated it.
func evidenceOf(f types.AwsSecurityFinding, updated time.Time) probity.Evidence {
	check := Compliance(f.Compliance.Status)
	e := probity.Evidence{
		EvidenceByType:  probity.EvidenceTypeComplianceCheck,
		ComplianceCheck: check,
		EventSource:     EventSource,
		Time:            updated,
		AWSAccountID:    aws.ToString(f.AwsAccountId),
		Attributes: map[string]string{
			"findingId":         aws.ToString(f.Id),
			"productArn":        aws.ToString(f.ProductArn),
			"generatorId":       aws.ToString(f.GeneratorId),
			"securityControlId": aws.ToString(f.Compliance.SecurityControlId),
			"complianceStatus":  string(f.Compliance.Status),
			"title":             aws.ToString(f.Title),
			"region":            aws.ToString(f.Region),
			"updatedAt":         aws.ToString(f.UpdatedAt),
		},
	}
	if f.Severity != nil {
		e.Attributes["severity"] = string(f.Severity.Label)
	}
	if f.Workflow != nil {
		e.Attributes["workflowStatus"] = string(f.Workflow.Status)
	}
	for _, r := range f.Resources {
		res := probity.EvidenceResource{Value: aws.ToString(r.Type), ComplianceCheck: check}
		if id := aws.ToString(r.Id); strings.HasPrefix(id, "arn:") {
			res.ARN = id
		} else {
			res.Value = aws.ToString(r.Type) + " " + id
		}
		e.ResourcesIncluded = append(e.ResourcesIncluded, res)
	}
	return e
}
