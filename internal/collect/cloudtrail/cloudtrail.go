// Package cloudtrail collects AWS_Cloudtrail evidence: the CloudTrail events of one API
// action (the source's keyword, service_Action such as iam_CreateUser), each as
// user-activity evidence, read from the log files a trail delivers to S3 or, where no
// trail's bucket can be read, from CloudTrail's LookupEvents.
package cloudtrail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/smithy-go"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/collect/target"
	"github.com/probity-dev/probity/internal/jobs"
)

// keywordPattern is service_Action: a service prefix as IAM policies write it, and an
// API action.
var keywordPattern = regexp.MustCompile(`^([a-z0-9-]+)_([A-Z][A-Za-z0-9]*)$`)

// Event names one API action as CloudTrail records it.
type Event struct {
	Source string // eventSource, such as iam.amazonaws.com
	Name   string // eventName, such as CreateUser
}

// ParseKeyword returns the event that a keyword service_Action names: eventSource
// SERVICE.amazonaws.com and eventName Action. It returns an EINVALID error for any other
// shape.
func ParseKeyword(kw string) (Event, error) {
	m := keywordPattern.FindStringSubmatch(kw)
	if m == nil {
		return Event{}, probity.Errorf(probity.EINVALID, "AWS_Cloudtrail keyword %q: want service_Action, such as iam_CreateUser", kw)
	}
	return Event{Source: m[1] + ".amazonaws.com", Name: m[2]}, nil
}

// Collector collects the CloudTrail events of one action.
//
// What a collection returns, for the task's account, in every region collected in: one
// evidence per event of the keyword's action (matched on eventSource and eventName) that
// CloudTrail delivered in target.Span of the task, oldest first, each event once:
//   - Where a trail logs the region (a multi-region trail, or one whose home is the region;
//     organization trails are not read), its log files are read from its bucket, in the
//     layout CloudTrail writes them (PREFIX/AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
//     ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_ID.json.gz, gzipped {"Records": [...]}),
//     and a file belongs to the span its delivery time (in its name) falls in. The window
//     is the cursor: consecutive windows read consecutive spans, a repeated collection
//     reads the same files, and the ledger's idempotency key keeps one batch per window,
//     so no cursor is stored (see target.Span).
//   - Where no trail logs the region, or no such trail's bucket can be read with the
//     account's role (denied, missing, or in another account), LookupEvents is asked for
//     the events whose time falls in the span (it keeps 90 days of management events).
type Collector struct {
	Accounts *target.Accounts
}

var _ jobs.Collector = (*Collector)(nil)

// Collect implements jobs.Collector. It returns an EINVALID error for a keyword that is not
// service_Action, and the AWS error, with its region, when neither the trail's files nor
// LookupEvents can be read, or a log file is not CloudTrail's format.
func (c *Collector) Collect(ctx context.Context, task jobs.Task) ([]probity.Evidence, error) {
	kw := ""
	if k := task.Source.SourceKeyword; k != nil {
		kw = k.KeywordValue
	}
	ev, err := ParseKeyword(kw)
	if err != nil {
		return nil, err
	}
	cfg, err := c.Accounts.Config(ctx, task.Target)
	if err != nil {
		return nil, err
	}
	span := target.Span(task)
	var (
		mu   sync.Mutex
		recs []Record
	)
	_, err = c.Accounts.EachRegion(ctx, cfg, func(ctx context.Context, region string) ([]probity.Evidence, error) {
		rs, err := c.collectRegion(ctx, cfg, task.Target, region, ev, span)
		if err != nil {
			return nil, err
		}
		// Evidence is made once all regions are in, to put each event once in time order.
		mu.Lock()
		recs = append(recs, rs...)
		mu.Unlock()
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(recs, func(a, b Record) int {
		if c := a.EventTime.Compare(b.EventTime); c != 0 {
			return c
		}
		return strings.Compare(a.EventID, b.EventID)
	})
	recs = slices.CompactFunc(recs, func(a, b Record) bool { return a.EventID == b.EventID })
	out := make([]probity.Evidence, len(recs))
	for i, r := range recs {
		out[i] = r.Evidence()
	}
	return out, nil
}

// collectRegion returns the events of ev delivered in span in region: from the trails'
// files, or from LookupEvents when no trail bucket of the region can be read.
func (c *Collector) collectRegion(ctx context.Context, cfg aws.Config, account, region string, ev Event, span jobs.Window) ([]Record, error) {
	ct := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.Region = region })
	trails, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("CloudTrail DescribeTrails: %w", err)
	}
	var recs []Record
	read := false
	done := map[string]bool{}
	for _, t := range trails.TrailList {
		bucket, prefix := aws.ToString(t.S3BucketName), aws.ToString(t.S3KeyPrefix)
		logs := aws.ToBool(t.IsMultiRegionTrail) || aws.ToString(t.HomeRegion) == region
		if bucket == "" || !logs || aws.ToBool(t.IsOrganizationTrail) || done[bucket+"/"+prefix] {
			continue
		}
		done[bucket+"/"+prefix] = true
		home := aws.ToString(t.HomeRegion)
		if home == "" {
			home = region
		}
		rs, err := readLogFiles(ctx, c.Accounts.S3(cfg, home), logLocation{bucket, prefix, account, region}, ev, span)
		if unreadable(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("trail %s: %w", aws.ToString(t.TrailARN), err)
		}
		read = true
		recs = append(recs, rs...)
	}
	if read {
		return recs, nil
	}
	return lookupEvents(ctx, ct, ev, span)
}

// unreadable reports whether err says that a trail's bucket cannot be read with the
// role's credentials, so that LookupEvents is asked instead.
func unreadable(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "AccessDenied", "NoSuchBucket", "AllAccessDisabled", "PermanentRedirect", "KMS.AccessDeniedException":
		return true
	}
	return false
}

// Record is one CloudTrail event record, the members evidence is made of.
type Record struct {
	EventID      string    `json:"eventID"`
	EventTime    time.Time `json:"eventTime"`
	EventSource  string    `json:"eventSource"`
	EventName    string    `json:"eventName"`
	AWSRegion    string    `json:"awsRegion"`
	SourceIP     string    `json:"sourceIPAddress"`
	UserAgent    string    `json:"userAgent"`
	ErrorCode    string    `json:"errorCode"`
	RecipientID  string    `json:"recipientAccountId"`
	UserIdentity struct {
		Type string `json:"type"`
		ARN  string `json:"arn"`
	} `json:"userIdentity"`
	RequestParameters json.RawMessage `json:"requestParameters"`
	Resources         []struct {
		ARN string `json:"ARN"`
	} `json:"resources"`
}

// Evidence returns the user-activity evidence of the event, at the event's time.
func (r Record) Evidence() probity.Evidence {
	e := probity.Evidence{
		EvidenceByType: probity.EvidenceTypeUserActivity,
		EventSource:    r.EventSource,
		EventName:      r.EventName,
		Time:           r.EventTime.UTC(),
		IAMID:          r.UserIdentity.ARN,
		AWSAccountID:   r.RecipientID,
		Attributes: map[string]string{
			"eventID":          r.EventID,
			"eventTime":        r.EventTime.UTC().Format(time.RFC3339),
			"awsRegion":        r.AWSRegion,
			"sourceIPAddress":  r.SourceIP,
			"userAgent":        r.UserAgent,
			"userIdentityType": r.UserIdentity.Type,
		},
	}
	if r.ErrorCode != "" {
		e.Attributes["errorCode"] = r.ErrorCode
	}
	var params bytes.Buffer
	if json.Compact(&params, r.RequestParameters) == nil && params.String() != "null" {
		e.Attributes["requestParameters"] = params.String()
	}
	for _, res := range r.Resources {
		if res.ARN != "" {
			e.ResourcesIncluded = append(e.ResourcesIncluded, probity.EvidenceResource{ARN: res.ARN})
		}
	}
	return e
}
