package cloudtrail_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/collect/cloudtrail"
	"github.com/probity-dev/probity/internal/collect/target"
	"github.com/probity-dev/probity/internal/jobs"
)

func TestParseKeyword(t *testing.T) {
	for _, c := range []struct {
		kw   string
		want cloudtrail.Event
		ok   bool
	}{
		{"iam_CreateUser", cloudtrail.Event{Source: "iam.amazonaws.com", Name: "CreateUser"}, true},
		{"signin_ConsoleLogin", cloudtrail.Event{Source: "signin.amazonaws.com", Name: "ConsoleLogin"}, true},
		{"s3_PutBucketPolicy", cloudtrail.Event{Source: "s3.amazonaws.com", Name: "PutBucketPolicy"}, true},
		{"", cloudtrail.Event{}, false},
		{"iam", cloudtrail.Event{}, false},
		{"iam_createUser", cloudtrail.Event{}, false},
		{"IAM_CreateUser", cloudtrail.Event{}, false},
		{"iam_Create_User", cloudtrail.Event{}, false},
		{"iam_CreateUser ", cloudtrail.Event{}, false},
	} {
		got, err := cloudtrail.ParseKeyword(c.kw)
		if got != c.want || (err == nil) != c.ok || (err != nil && probity.ErrorCode(err) != probity.EINVALID) {
			t.Errorf("ParseKeyword(%q) = %+v, %v; want %+v, ok %v", c.kw, got, err, c.want, c.ok)
		}
	}
}

func TestDeliveryTime(t *testing.T) {
	for _, c := range []struct {
		key  string
		want string // RFC 3339, or "" for not a log file
	}{
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/10/111122223333_CloudTrail_us-east-1_20260310T1105Z_abc.json.gz", "2026-03-10T11:05:00Z"},
		{"p/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/12/31/111122223333_CloudTrail_eu-west-1_20261231T2359Z_x.json.gz", "2026-12-31T23:59:00Z"},
		{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/10/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20260310T1105Z.json.gz", ""},
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/10/111122223333_CloudTrail_us-east-1_20260310T1105Z_abc.json", ""},
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/10/111122223333_CloudTrail_us-east-1_20261310T1105Z_abc.json.gz", ""},
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/10/", ""},
	} {
		got, ok := cloudtrail.DeliveryTime(c.key)
		if s := got.Format(time.RFC3339); ok != (c.want != "") || (ok && s != c.want) {
			t.Errorf("DeliveryTime(%q) = %s, %v; want %q", c.key, s, ok, c.want)
		}
	}
}

func TestDecodeLog(t *testing.T) {
	ev := cloudtrail.Event{Source: "iam.amazonaws.com", Name: "CreateUser"}
	for _, c := range []struct {
		name, json string
		want       []string // event ids
		err        string
	}{
		{"matches", `{"Records":[{"eventID":"a","eventTime":"2026-03-10T11:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser"},
			{"eventID":"b","eventTime":"2026-03-10T11:00:00Z","eventSource":"iam.amazonaws.com","eventName":"DeleteUser"}]}`, []string{"a"}, ""},
		{"empty", `{"Records":[]}`, nil, ""},
		{"not JSON", `Records`, nil, "not a CloudTrail log file"},
		{"no time", `{"Records":[{"eventID":"a","eventSource":"iam.amazonaws.com","eventName":"CreateUser"}]}`, nil, "Records[0]: eventID and eventTime are required"},
		{"bad record", `{"Records":[1]}`, nil, "Records[0]"},
	} {
		recs, err := cloudtrail.DecodeLog(strings.NewReader(c.json), ev)
		var got []string
		for _, r := range recs {
			got = append(got, r.EventID)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) || (c.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: DecodeLog = %v, %v; want %v, %q", c.name, got, err, c.want, c.err)
		}
	}
}

// TestLookupEventsWhenNoBucketIsReadable: the trail's bucket answers AccessDenied, so the
// collector asks LookupEvents. moto has no LookupEvents, so STS, CloudTrail and S3 are an
// httptest server answering with recorded responses, driven by the real SDK clients.
func TestLookupEventsWhenNoBucketIsReadable(t *testing.T) {
	ev := func(id, source, at string) map[string]any {
		rec, _ := json.Marshal(map[string]any{"eventVersion": "1.08", "eventID": id, "eventTime": at, "eventSource": source,
			"eventName": "CreateUser", "awsRegion": "us-east-1", "recipientAccountId": "111122223333",
			"userIdentity": map[string]any{"type": "Root", "arn": "arn:aws:iam::111122223333:root"}})
		tm, _ := time.Parse(time.RFC3339, at)
		return map[string]any{"EventId": id, "EventName": "CreateUser", "EventSource": source, "EventTime": tm.Unix(),
			"ReadOnly": "false", "Username": "root", "CloudTrailEvent": string(rec)}
	}
	pages := map[string]map[string]any{
		"": {"NextToken": "p2", "Events": []any{
			ev("l1", "iam.amazonaws.com", "2026-03-10T11:00:00Z"),
			ev("l2", "other.amazonaws.com", "2026-03-10T11:00:00Z"), // the same name from another service
		}},
		"p2": {"Events": []any{
			ev("l3", "iam.amazonaws.com", "2026-03-10T11:44:59Z"),
			ev("l4", "iam.amazonaws.com", "2026-03-10T11:45:00Z"), // LookupEvents' EndTime is inclusive
		}},
	}
	var mu sync.Mutex
	var lookups []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch target := r.Header.Get("X-Amz-Target"); {
		case strings.Contains(string(body), "Action=AssumeRole"):
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprint(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>
<AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken>
<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/ProbityCollector/probity</Arn>
<AssumedRoleId>AROAEXAMPLE:probity</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`)
		case target == "CloudTrail_20131101.DescribeTrails":
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			fmt.Fprint(w, `{"trailList":[{"Name":"main","S3BucketName":"log-archive","IsMultiRegionTrail":true,"HomeRegion":"us-east-1",
"TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/main","IsOrganizationTrail":false}]}`)
		case target == "CloudTrail_20131101.LookupEvents":
			var in map[string]any
			json.Unmarshal(body, &in)
			mu.Lock()
			lookups = append(lookups, in)
			mu.Unlock()
			token, _ := in["NextToken"].(string)
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			json.NewEncoder(w).Encode(pages[token])
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/log-archive"):
			// The bucket is in a log-archive account that does not grant the role.
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>r</RequestId></Error>`)
		default:
			http.Error(w, "unexpected request "+r.Method+" "+r.URL.String()+" "+target, http.StatusBadRequest)
		}
	}))
	defer srv.Close()

	base := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1}
	c := &cloudtrail.Collector{Accounts: &target.Accounts{
		Load:      func(context.Context) (aws.Config, error) { return base, nil },
		S3Options: func(o *s3.Options) { o.UsePathStyle = true },
	}}
	task := jobs.Task{
		Collection: jobs.Collection{Source: probity.ControlMappingSource{SourceType: probity.SourceTypeCloudTrail,
			SourceKeyword: &probity.SourceKeyword{KeywordValue: "iam_CreateUser"}}},
		Target: "111122223333",
		Window: jobs.Window{Start: time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)},
	}
	evs, err := c.Collect(t.Context(), task)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Attributes["eventID"]+" "+e.EventSource+" "+e.EventName+" "+e.IAMID+" "+e.EvidenceByType)
	}
	want := []string{
		"l1 iam.amazonaws.com CreateUser arn:aws:iam::111122223333:root User activity",
		"l3 iam.amazonaws.com CreateUser arn:aws:iam::111122223333:root User activity",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("evidence = %q, want %q", got, want)
	}
	if len(lookups) != 2 {
		t.Fatalf("LookupEvents calls = %v, want 2 pages", lookups)
	}
	attr := fmt.Sprint(lookups[0]["LookupAttributes"])
	start, end := fmt.Sprint(lookups[0]["StartTime"]), fmt.Sprint(lookups[0]["EndTime"])
	wantStart, wantEnd := fmt.Sprint(float64(time.Date(2026, 3, 10, 10, 45, 0, 0, time.UTC).Unix())), fmt.Sprint(float64(time.Date(2026, 3, 10, 11, 45, 0, 0, time.UTC).Unix()))
	if attr != "[map[AttributeKey:EventName AttributeValue:CreateUser]]" || start != wantStart || end != wantEnd {
		t.Errorf("LookupEvents asked %s from %s to %s; want EventName CreateUser from %s to %s (the span)", attr, start, end, wantStart, wantEnd)
	}
}
