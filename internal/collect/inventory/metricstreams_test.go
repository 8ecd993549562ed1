package inventory_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
)

// recordedStreams are CloudWatch's documented AWS Query responses for a tagged and an
// untagged metric stream; moto lacks metric streams.
var recordedStreams = map[string]func(url.Values) string{
	"ListMetricStreams": func(url.Values) string {
		var members []string
		for _, n := range []string{"tagged", "bare"} {
			members = append(members, `<member><Arn>arn:aws:cloudwatch:us-east-1:123456789012:metric-stream/`+n+`</Arn><Name>`+n+`</Name>`+
				`<FirehoseArn>arn:aws:firehose:us-east-1:123456789012:deliverystream/f</FirehoseArn><State>running</State><OutputFormat>json</OutputFormat>`+
				`<CreationDate>2024-05-01T00:00:00Z</CreationDate><LastUpdateDate>2024-05-01T00:00:00Z</LastUpdateDate></member>`)
		}
		return `<ListMetricStreamsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListMetricStreamsResult><Entries>` +
			strings.Join(members, "") + `</Entries></ListMetricStreamsResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></ListMetricStreamsResponse>`
	},
	"GetMetricStream": func(v url.Values) string {
		n := v.Get("Name")
		return `<GetMetricStreamResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricStreamResult>` +
			`<Arn>arn:aws:cloudwatch:us-east-1:123456789012:metric-stream/` + n + `</Arn><Name>` + n + `</Name>` +
			`<IncludeFilters><member><Namespace>AWS/EC2</Namespace></member></IncludeFilters>` +
			`<FirehoseArn>arn:aws:firehose:us-east-1:123456789012:deliverystream/f</FirehoseArn><RoleArn>arn:aws:iam::123456789012:role/r</RoleArn>` +
			`<State>running</State><OutputFormat>json</OutputFormat><CreationDate>2024-05-01T00:00:00Z</CreationDate><LastUpdateDate>2024-05-01T00:00:00Z</LastUpdateDate>` +
			`</GetMetricStreamResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></GetMetricStreamResponse>`
	},
	"ListTagsForResource": func(v url.Values) string {
		tags := ""
		if strings.HasSuffix(v.Get("ResourceARN"), "/tagged") {
			tags = `<member><Key>team</Key><Value>obs</Value></member>`
		}
		return `<ListTagsForResourceResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListTagsForResourceResult><Tags>` + tags +
			`</Tags></ListTagsForResourceResult><ResponseMetadata><RequestId>r3</RequestId></ResponseMetadata></ListTagsForResourceResponse>`
	},
}

// TestMetricStreams collects two metric streams answered with recorded responses behind
// an httptest server (moto lacks metric streams; the server passes every other request
// to moto) and checks their CIs (name as resource id, ARN, tags, the members of
// GetMetricStream) and CLOUDWATCH_METRIC_STREAM_TAGGED on them.
func TestMetricStreams(t *testing.T) {
	m := mototest.Shared(t)
	cfg := recorded(t, m, func(c recordedCall) (int, string, bool) {
		answer := recordedStreams[c.Op]
		if c.Form == nil || answer == nil || (c.Op == "ListTagsForResource" && !strings.Contains(c.Form.Get("ResourceARN"), ":metric-stream/")) {
			return 0, "", false
		}
		return http.StatusOK, answer(c.Form), true
	}, "ListMetricStreams", "GetMetricStream")
	_, items, raw := collectTypesWith(t, cfg, "123456789012", "AWS::CloudWatch::MetricStream")
	type stream struct {
		ARN, Name, Conf string
		Tags            map[string]string
	}
	got := map[string]stream{}
	for id, it := range items {
		got[id] = stream{it.ARN, it.ResourceName, compactJSON(t, it.Configuration), it.Tags}
	}
	conf := func(n string) string {
		return `{"Arn":"arn:aws:cloudwatch:us-east-1:123456789012:metric-stream/` + n + `","CreationDate":"2024-05-01T00:00:00Z",` +
			`"FirehoseArn":"arn:aws:firehose:us-east-1:123456789012:deliverystream/f","IncludeFilters":[{"Namespace":"AWS/EC2"}],` +
			`"LastUpdateDate":"2024-05-01T00:00:00Z","Name":"` + n + `","OutputFormat":"json","RoleArn":"arn:aws:iam::123456789012:role/r","State":"running"}`
	}
	want := map[string]stream{
		"tagged": {"arn:aws:cloudwatch:us-east-1:123456789012:metric-stream/tagged", "tagged", conf("tagged"), map[string]string{"team": "obs"}},
		"bare":   {"arn:aws:cloudwatch:us-east-1:123456789012:metric-stream/bare", "bare", conf("bare"), nil},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("metric streams (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"tagged": "COMPLIANT", "bare": "NON_COMPLIANT"}, evaluateRule(t, raw, "CLOUDWATCH_METRIC_STREAM_TAGGED", nil)); d != "" {
		t.Errorf("CLOUDWATCH_METRIC_STREAM_TAGGED (-want +got):\n%s", d)
	}
}
