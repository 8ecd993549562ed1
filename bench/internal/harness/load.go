package harness

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Signed returns a request for url with body (nil for none), signed with the root key
// as aws-sdk-go-v2 signs Audit Manager requests.
func Signed(signer *v4.Signer, method, url string, body []byte) (*http.Request, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(body)
	err = signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: KeyID, SecretAccessKey: KeySecret},
		req, hex.EncodeToString(sum[:]), "auditmanager", "us-east-1", time.Now())
	return req, err
}

// Fetch sends one signed request and returns the response body; it fails on a status
// other than 200, with the body.
func Fetch(method, url string, body []byte) ([]byte, error) {
	req, err := Signed(v4.NewSigner(), method, url, body)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("%s %s: status %d: %s", method, url, resp.StatusCode, b)
	}
	return b, err
}

// RequestFunc returns the method, path (with query) and body of a client's next request.
// Load calls it from every client's goroutine at once.
type RequestFunc func(client int) (method, path string, body []byte)

// Result is what Load measured.
type Result struct {
	Rate     float64 // requests answered per second
	P50, P99 time.Duration
	Requests int
}

// Load runs n clients, each signing and sending the requests of next to base one after
// another, for warmup and then duration, and returns the rate and latency percentiles of
// the measured part. It fails with the first failed request (a status other than 200).
func Load(base string, next RequestFunc, n int, warmup, duration time.Duration) (Result, error) {
	tr := &http.Transport{MaxIdleConns: n, MaxIdleConnsPerHost: n, MaxConnsPerHost: n}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	start := time.Now()
	measureFrom, stop := start.Add(warmup), start.Add(warmup+duration)
	var mu sync.Mutex
	var all []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	for client := range n {
		wg.Go(func() {
			signer := v4.NewSigner()
			lat := make([]time.Duration, 0, 1<<14)
			var buf bytes.Buffer
			for {
				t0 := time.Now()
				if t0.After(stop) {
					break
				}
				method, path, body := next(client)
				req, err := Signed(signer, method, base+path, body)
				if err == nil {
					var resp *http.Response
					resp, err = hc.Do(req)
					if err == nil {
						buf.Reset()
						_, err = buf.ReadFrom(resp.Body)
						resp.Body.Close()
						if err == nil && resp.StatusCode != 200 {
							err = fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, buf.Bytes())
						}
					}
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				if t0.After(measureFrom) {
					lat = append(lat, time.Since(t0))
				}
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if firstErr != nil {
		return Result{}, firstErr
	}
	slices.Sort(all)
	if len(all) == 0 {
		return Result{}, fmt.Errorf("no request completed")
	}
	pct := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	return Result{Rate: float64(len(all)) / duration.Seconds(), P50: pct(.50), P99: pct(.99), Requests: len(all)}, nil
}

// Median returns the median of v (the upper one of an even count).
func Median[T int64 | float64 | time.Duration](v []T) T {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// Ms formats d in milliseconds to the hundredth.
func Ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// Latencies calls fn warmup times unmeasured, then calls times measured one after
// another, and returns the median, the 95th percentile and the longest of the measured
// calls. It stops at fn's first error.
func Latencies(calls, warmup int, fn func() error) (p50, p95, most time.Duration, err error) {
	ds := make([]time.Duration, 0, calls)
	for i := range warmup + calls {
		t := time.Now()
		if err := fn(); err != nil {
			return 0, 0, 0, err
		}
		if i >= warmup {
			ds = append(ds, time.Since(t))
		}
	}
	if len(ds) == 0 {
		return 0, 0, 0, nil
	}
	slices.Sort(ds)
	return ds[len(ds)/2], ds[len(ds)*95/100], ds[len(ds)-1], nil
}
