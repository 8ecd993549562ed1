package cloudtrail

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/probity-dev/probity/internal/jobs"
)

// lookupEvents returns the events of ev whose time falls in span, from CloudTrail's
// LookupEvents (management events of the last 90 days, per region; IAM's and other global
// services' events are in us-east-1). LookupEvents filters on one attribute, the event
// name; the event source is checked here. It returns CloudTrail's error, or an error when
// an event's CloudTrailEvent is not a record.
func lookupEvents(ctx context.Context, client *cloudtrail.Client, ev Event, span jobs.Window) ([]Record, error) {
	in := &cloudtrail.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String(ev.Name)}},
		StartTime:        aws.Time(span.Start),
		EndTime:          aws.Time(span.End),
		MaxResults:       aws.Int32(50),
	}
	var out []Record
	for p := cloudtrail.NewLookupEventsPaginator(client, in); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("CloudTrail LookupEvents: %w", err)
		}
		for _, e := range page.Events {
			if aws.ToString(e.EventSource) != ev.Source || aws.ToString(e.EventName) != ev.Name {
				continue
			}
			var rec Record
			if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec); err != nil {
				return nil, fmt.Errorf("CloudTrail LookupEvents: event %s: %w", aws.ToString(e.EventId), err)
			}
			// StartTime is inclusive and EndTime too: keep the span half-open.
			if rec.EventID == "" || rec.EventTime.Before(span.Start) || !rec.EventTime.Before(span.End) {
				continue
			}
			out = append(out, rec)
		}
	}
	return out, nil
}
