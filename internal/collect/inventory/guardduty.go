package inventory

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
)

// getFindingsBatch is the most finding ids GetFindings takes at once.
const getFindingsBatch = 50

// guardDutyFinding is the fact guardduty.Findings keeps of a finding (GetFindings'
// member names).
type guardDutyFinding struct {
	ID        string  `json:"Id"`
	Type      string  `json:"Type"`
	Severity  float64 `json:"Severity"`
	CreatedAt string  `json:"CreatedAt"`
	UpdatedAt string  `json:"UpdatedAt"`
}

// collectGuardDutyFindings records each detector's findings that are not archived
// (ListFindings with service.archived false, all pages; GetFindings in batches of 50) as
// the fact guardduty.Findings, by detector id. Where ListFindings or GetFindings cannot be
// called the skip is recorded and the fact left out, the detectors kept.
func collectGuardDutyFindings(ctx context.Context, r *run, c *guardduty.Client, detectors []string) error {
	findings := make([][]guardDutyFinding, len(detectors))
	var skipped error
	for i, id := range detectors {
		var ids []string
		p := guardduty.NewListFindingsPaginator(c, &guardduty.ListFindingsInput{DetectorId: aws.String(id),
			FindingCriteria: &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"service.archived": {Equals: []string{"false"}}}}})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if unavailable(err) {
				skipped = err
				break
			}
			if err != nil {
				return err
			}
			ids = append(ids, out.FindingIds...)
		}
		if skipped != nil {
			r.skip("guardduty.findings", skipped)
			return nil
		}
		findings[i] = []guardDutyFinding{}
		batches := (len(ids) + getFindingsBatch - 1) / getFindingsBatch
		got := make([][]guardDutyFinding, batches)
		err := r.each(ctx, batches, func(ctx context.Context, b int) error {
			end := min((b+1)*getFindingsBatch, len(ids))
			out, err := c.GetFindings(ctx, &guardduty.GetFindingsInput{DetectorId: aws.String(id), FindingIds: ids[b*getFindingsBatch : end]})
			if err != nil {
				return err
			}
			for _, f := range out.Findings {
				got[b] = append(got[b], guardDutyFinding{ID: aws.ToString(f.Id), Type: aws.ToString(f.Type), Severity: aws.ToFloat64(f.Severity),
					CreatedAt: findingTime(f.CreatedAt), UpdatedAt: findingTime(f.UpdatedAt)})
			}
			return nil
		})
		if unavailable(err) {
			r.skip("guardduty.findings", err)
			return nil
		}
		if err != nil {
			return err
		}
		for _, g := range got {
			findings[i] = append(findings[i], g...)
		}
	}
	facts := make(map[string][]guardDutyFinding, len(detectors))
	for i, id := range detectors {
		facts[id] = findings[i]
	}
	r.fact("guardduty.Findings", facts)
	return nil
}

// findingTime returns a finding's time (GuardDuty writes ISO 8601 text) as RFC 3339 in
// UTC, or as it is when it does not parse.
func findingTime(s *string) string {
	t, err := time.Parse(time.RFC3339Nano, aws.ToString(s))
	if err != nil {
		return aws.ToString(s)
	}
	return t.UTC().Format(time.RFC3339Nano)
}
