package s3

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/probity-dev/probity/internal/pipeline"
)

// objectEvent is one record of an S3 event notification.
type objectEvent struct {
	Name   string // ObjectCreated:Put, ObjectRemoved:Delete, ...
	Bucket string
	Key    string // decoded
}

// s3Message is the body of an SQS message carrying S3 event notifications, straight
// from S3 or wrapped by SNS.
type s3Message struct {
	Event   string `json:"Event"` // s3:TestEvent
	Records []struct {
		EventSource string `json:"eventSource"`
		EventName   string `json:"eventName"`
		S3          struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key string `json:"key"`
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
	// SNS envelope.
	Type    string `json:"Type"`
	Message string `json:"Message"`
}

// parseS3Events returns the object events of a message body: every record of it. The
// test event S3 sends when notifications are configured has none. Keys are URL-decoded
// as S3 encodes them ('+' for a space, %XX for other bytes). It returns an error for a
// body that is not an S3 event notification.
func parseS3Events(body string) ([]objectEvent, error) {
	var m s3Message
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return nil, fmt.Errorf("not an S3 event notification: %w", err)
	}
	if m.Type == "Notification" && m.Message != "" {
		return parseS3Events(m.Message)
	}
	if m.Event == "s3:TestEvent" {
		return nil, nil
	}
	if m.Records == nil {
		return nil, fmt.Errorf("not an S3 event notification: no Records")
	}
	out := make([]objectEvent, 0, len(m.Records))
	for _, r := range m.Records {
		if r.EventSource != "" && r.EventSource != "aws:s3" {
			continue
		}
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			return nil, fmt.Errorf("S3 event key %q: %w", r.S3.Object.Key, err)
		}
		out = append(out, objectEvent{Name: r.EventName, Bucket: r.S3.Bucket.Name, Key: key})
	}
	return out, nil
}

// affects reports whether an object event can change the catalog under bucket/prefix:
// an object created (Put, Post, Copy, CompleteMultipartUpload) or removed, with a
// catalog file's name.
func (e objectEvent) affects(bucket, prefix string) bool {
	if e.Bucket != bucket || !strings.HasPrefix(e.Key, prefix) {
		return false
	}
	if !strings.HasPrefix(e.Name, "ObjectCreated:") && !strings.HasPrefix(e.Name, "ObjectRemoved:") {
		return false
	}
	return pipeline.IsCatalogPath(strings.TrimPrefix(e.Key, prefix))
}
