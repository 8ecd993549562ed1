package s3

import (
	"slices"
	"testing"
)

func TestParseS3Events(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []objectEvent
		err  bool
	}{
		{"test event", `{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"}`, nil, false},
		{"every record, keys decoded", `{"Records":[
			{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"catalog%2Fcontrols%2FMy+Control+%C3%BC.yaml"}}},
			{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"catalog/a%2Bb.yaml"}}}]}`,
			[]objectEvent{{"ObjectCreated:Put", "b", "catalog/controls/My Control ü.yaml"}, {"ObjectRemoved:Delete", "b", "catalog/a+b.yaml"}}, false},
		{"wrapped by SNS", `{"Type":"Notification","Message":"{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Copy\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"x.yaml\"}}}]}"}`,
			[]objectEvent{{"ObjectCreated:Copy", "b", "x.yaml"}}, false},
		{"not an event", `hello`, nil, true},
		{"no records", `{"foo":1}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseS3Events(tt.body)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
