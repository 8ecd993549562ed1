package amapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/logline"
	"github.com/probity-dev/probity/internal/store/cache"
)

// BenchmarkRead serves signed GetControl and ListControls requests the way probity serve
// does (SQLite behind the read cache, the access log formatted by logline and then
// discarded), to count the handler's own time and allocations (-benchmem); bench/api
// measures the whole server.
func BenchmarkRead(b *testing.B) {
	st := cache.New(sqliteStore(b), 0, nil)
	h, err := amapi.New(amapi.Config{
		Library: &library.Service{Store: st},
		Keys:    &keys.Manager{Root: &keys.Root{ID: rootID, Secret: rootSecret, AccountID: "000000000000"}},
		Logger:  slog.New(logline.NewText(io.Discard)),
	})
	if err != nil {
		b.Fatal(err)
	}
	id := mustCreate(b, h, "POST", "/controls", `{"name":"bench","controlMappingSources":[{"sourceName":"s","sourceSetUpOption":"Procedural_Controls_Mapping","sourceType":"MANUAL"}]}`, "control", "id")
	for _, tt := range []struct{ name, target string }{
		{"GetControl", "/controls/" + id},
		{"ListControls", "/controls?controlType=Custom&maxResults=10"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			sum := sha256.Sum256(nil)
			hash := hex.EncodeToString(sum[:])
			signed := httptest.NewRequest("GET", "http://probity.test"+tt.target, nil)
			if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: rootID, SecretAccessKey: rootSecret},
				signed, hash, "auditmanager", "us-east-1", time.Now()); err != nil {
				b.Fatal(err)
			}
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				r := signed.Clone(context.Background())
				r.Body = http.NoBody
				clear(w.h)
				h.ServeHTTP(w, r)
				if w.status != 200 {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}

// discardWriter is an http.ResponseWriter that keeps only the status.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }
