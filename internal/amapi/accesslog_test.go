package amapi_test

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"

	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/logline"
)

// syncBuffer is a bytes.Buffer safe for the handler's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestAccessLog: each request writes one line with its operation, status, duration,
// request id and remote address; the key and account once the caller is known; the
// error type when it failed.
func TestAccessLog(t *testing.T) {
	var out syncBuffer
	h, err := amapi.New(amapi.Config{
		Library: &library.Service{Store: sqliteStore(t)},
		Keys:    &keys.Manager{Root: &keys.Root{ID: rootID, Secret: rootSecret, AccountID: "000000000000"}},
		Logger:  slog.New(logline.NewText(&out)),
	})
	if err != nil {
		t.Fatal(err)
	}
	const (
		ts  = `time=\S+ level=INFO msg=request `
		id  = ` request_id=[0-9a-f-]{36} remote=192\.0\.2\.1:1234`
		who = ` key=root account=000000000000`
	)
	tests := []struct {
		name string
		send func()
		want string
	}{
		{"success", func() { send(t, h, "GET", "/controls?controlType=Custom", nil) },
			`^` + ts + `op=ListControls status=200 duration=\S+` + id + who + `\n$`},
		{"not found", func() { send(t, h, "GET", "/controls/0a1b2c3d-4e5f-6789-abcd-ef0123456789", nil) },
			`^` + ts + `op=GetControl status=404 duration=\S+` + id + who + ` error_type=ResourceNotFoundException\n$`},
		{"unsigned", func() {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/controls?controlType=Custom", nil))
		}, `^` + ts + `op=ListControls status=403 duration=\S+` + id + ` error_type=MissingAuthenticationTokenException\n$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out.mu.Lock()
			out.b.Reset()
			out.mu.Unlock()
			tt.send()
			if got := out.String(); !regexp.MustCompile(tt.want).MatchString(got) {
				t.Errorf("access log = %q, want it to match %s", got, tt.want)
			}
		})
	}
}
