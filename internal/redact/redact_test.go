package redact_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/probity-dev/probity/internal/redact"
)

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://h/r.git?token=T0KEN#main", "https://h/r.git?token=xxxxx#main"},
		{"https://user:s3cret@h/r.git", "https://user:xxxxx@h/r.git"},
		{"https://user@h/r.git", "https://user@h/r.git"},
		{"https://u:p%40ss@h/r?a=1&b=two&flag&c=#x", "https://u:xxxxx@h/r?a=xxxxx&b=xxxxx&xxxxx&c=xxxxx#x"},
		{"smtp://USER:PASS@mail.example.com:587?from=a@example.com&to=b@example.com", "smtp://USER:xxxxx@mail.example.com:587?from=xxxxx&to=xxxxx"},
		{"webhook:https://hooks.example.com/services/T/B?token=abc", "webhook:https://hooks.example.com/services/T/B?token=xxxxx"},
		{"s3://bucket/prefix", "s3://bucket/prefix"},
		{"/var/lib/catalog", "/var/lib/catalog"},
		{"file:///srv/repo#main", "file:///srv/repo#main"},
		{"https://h/r.git?", "https://h/r.git?"},
		{"https://user:se%zzcret@h/r.git", "https://..."},
		{"user:pass@host/%zz", "user:xxxxx@host/%zz"},
		{"webhook:https://u:p4ss@h/x?token=abc#f", "webhook:https://u:xxxxx@h/x?token=xxxxx#f"},
		{"sns:arn:aws:sns:us-east-1:123456789012:topic", "sns:arn:aws:sns:us-east-1:123456789012:topic"},
		{"https://h/r?token=abc\x7f", "https://..."},
	}
	for _, tt := range tests {
		if got := redact.URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	raw := "https://user:pa%2Fss@h/r.git?token=T0K%2BEN&ref=m"
	tests := []struct{ in, want string }{
		{`Get "https://h/r.git?token=T0K%2BEN&ref=m/info/refs": EOF`, `Get "https://h/r.git?token=xxxxx&ref=m/info/refs": EOF`},
		{"token T0K+EN refused", "token xxxxx refused"},
		{"auth pa/ss and pa%2Fss", "auth xxxxx and xxxxx"},
		{"ref m stays: too short to be a secret", "ref m stays: too short to be a secret"},
	}
	for _, tt := range tests {
		if got := redact.Text(tt.in, raw); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTextOfInnerURL(t *testing.T) {
	got := redact.Text("post https://u:p4ssword@h/x?token=abcdef failed", "webhook:https://u:p4ssword@h/x?token=abcdef")
	if want := "post https://u:xxxxx@h/x?token=xxxxx failed"; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func TestError(t *testing.T) {
	raw := "https://h/r?token=SECRETVALUE"
	err := redact.Error(&fs.PathError{Op: "open", Path: "SECRETVALUE", Err: fs.ErrNotExist}, raw)
	if strings.Contains(err.Error(), "SECRETVALUE") || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Error = %v; errors.Is(fs.ErrNotExist) = %v", err, errors.Is(err, fs.ErrNotExist))
	}
	if redact.Error(nil, raw) != nil {
		t.Error("Error(nil) != nil")
	}
}
