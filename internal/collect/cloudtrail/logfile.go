package cloudtrail

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/probity-dev/probity/internal/jobs"
)

// logLocation is where a trail delivers the log files of one account and region.
type logLocation struct {
	bucket, prefix, account, region string
}

// dayPrefix returns the key prefix of the files delivered on day:
// PREFIX/AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/.
func (l logLocation) dayPrefix(day time.Time) string {
	p := "AWSLogs/" + l.account + "/CloudTrail/" + l.region + "/" + day.Format("2006/01/02") + "/"
	if l.prefix != "" {
		p = strings.TrimSuffix(l.prefix, "/") + "/" + p
	}
	return p
}

// DeliveryTime returns the delivery time that a log file's key carries in its name,
// ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_ID.json.gz, or false for any other name.
func DeliveryTime(key string) (time.Time, bool) {
	parts := strings.Split(path.Base(key), "_")
	if len(parts) != 5 || parts[1] != "CloudTrail" || !strings.HasSuffix(parts[4], ".json.gz") {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102T1504Z", parts[3])
	return t, err == nil
}

// readLogFiles returns the records of ev in the log files of loc delivered in span. A
// file's folder is the day of its delivery; the day before the span is listed too, in case
// a file's folder and name disagree around midnight. It returns the S3 error when the
// bucket cannot be listed or a file read, and an error naming the file when it is not a
// gzipped CloudTrail log.
func readLogFiles(ctx context.Context, client *s3.Client, loc logLocation, ev Event, span jobs.Window) ([]Record, error) {
	var recs []Record
	last := span.End.Add(-time.Nanosecond).UTC()
	for day := span.Start.UTC().Truncate(24*time.Hour).AddDate(0, 0, -1); !day.After(last); day = day.AddDate(0, 0, 1) {
		p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(loc.bucket), Prefix: aws.String(loc.dayPrefix(day))})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list s3://%s/%s: %w", loc.bucket, loc.dayPrefix(day), err)
			}
			for _, o := range page.Contents {
				key := aws.ToString(o.Key)
				t, ok := DeliveryTime(key)
				if !ok || t.Before(span.Start) || !t.Before(span.End) {
					continue
				}
				rs, err := readLogFile(ctx, client, loc.bucket, key, ev)
				if err != nil {
					return nil, err
				}
				recs = append(recs, rs...)
			}
		}
	}
	return recs, nil
}

// readLogFile returns the records of ev in one log file.
func readLogFile(ctx context.Context, client *s3.Client, bucket, key string, ev Event) ([]Record, error) {
	obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("read s3://%s/%s: %w", bucket, key, err)
	}
	defer obj.Body.Close()
	// CloudTrail gzips its files and says so in Content-Encoding; a client or proxy that
	// honours it hands over plain JSON, so the gzip magic number decides.
	var r io.Reader = bufio.NewReader(obj.Body)
	if head, _ := r.(*bufio.Reader).Peek(2); bytes.Equal(head, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("s3://%s/%s: not a gzipped CloudTrail log file: %w", bucket, key, err)
		}
		r = zr
	}
	recs, err := DecodeLog(r, ev)
	if err != nil {
		return nil, fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
	}
	return recs, nil
}

// DecodeLog returns the records of ev in a CloudTrail log file's JSON, {"Records": [...]}.
// Records of other events are skipped without being decoded in full. It returns an error
// when the JSON is not of that shape or a matching record has no eventID or eventTime.
func DecodeLog(r io.Reader, ev Event) ([]Record, error) {
	var file struct {
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.NewDecoder(r).Decode(&file); err != nil {
		return nil, fmt.Errorf("not a CloudTrail log file: %w", err)
	}
	var out []Record
	for i, raw := range file.Records {
		var head struct {
			EventSource string `json:"eventSource"`
			EventName   string `json:"eventName"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, fmt.Errorf("Records[%d]: %w", i, err)
		}
		if head.EventSource != ev.Source || head.EventName != ev.Name {
			continue
		}
		var rec Record
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, fmt.Errorf("Records[%d]: %w", i, err)
		}
		if rec.EventID == "" || rec.EventTime.IsZero() {
			return nil, fmt.Errorf("Records[%d]: eventID and eventTime are required", i)
		}
		out = append(out, rec)
	}
	return out, nil
}
