package report_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/report"
)

// TestBucket runs the Destination contract on S3 (moto), with and without a prefix: a
// streamed upload of several MiB lands at PREFIX/NAME and nowhere else, Open reads it
// back, the presigned GET serves the same bytes until it expires and not once altered,
// Delete removes it (twice is fine), bad names are refused, a missing bucket says so, and
// no temporary file is left behind.
//
// moto checks no presigned signature, so the S3 client goes through a gateway that checks
// each presigned GET the way S3 does (the signature, recomputed from the SigV4
// specification, and X-Amz-Date + X-Amz-Expires against its clock) before passing it on.
func TestBucket(t *testing.T) {
	ctx := context.Background()
	m := mototest.Start(t)
	gw := newPresignGateway(t, m.URL, "testing")
	cfg := m.Config()
	cfg.BaseEndpoint = aws.String(gw.URL)
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("reports")}); err != nil {
		t.Fatal(err)
	}
	content := make([]byte, 9<<20+123) // more than one 8 MiB part, were the upload split
	for i := range content {
		content[i] = byte(i*7 + i>>11)
	}
	for _, prefix := range []string{"", "team/q3"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			tmp := t.TempDir()
			b := &report.Bucket{S3: client, Name: "reports", Prefix: prefix, TempDir: tmp}
			name := "0b6e3f1c-report/q3 report.zip"
			key := name
			if prefix != "" {
				key = prefix + "/" + name
			}
			w, err := b.Create(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			for rest := content; len(rest) > 0; { // odd-sized writes, as a zip writer makes them
				n := min(len(rest), 100_003)
				if _, err := w.Write(rest[:n]); err != nil {
					t.Fatal(err)
				}
				rest = rest[n:]
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			assertEmptyDir(t, tmp)
			if got := listKeys(t, client, "reports"); !slices.Equal(got, []string{key}) {
				t.Fatalf("bucket holds %q, want only %q", got, key)
			}

			obj, err := b.Open(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]byte, obj.Size())
			if _, err := obj.ReadAt(got, 0); err != nil && err != io.EOF {
				t.Fatal(err)
			}
			obj.Close()
			if !bytes.Equal(got, content) {
				t.Fatalf("Open read %d bytes, want the %d written", len(got), len(content))
			}
			assertEmptyDir(t, tmp)

			link, err := b.URL(ctx, name, 15*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(link)
			if q := u.Query(); q.Get("X-Amz-Expires") != "900" || q.Get("X-Amz-Signature") == "" {
				t.Errorf("presigned link %s: want X-Amz-Expires=900 and a signature", link)
			}
			if status, body := fetch(t, link); status != http.StatusOK || !bytes.Equal(body, content) {
				t.Fatalf("GET the presigned link: %d, %d bytes, want 200 and the %d written", status, len(body), len(content))
			}
			for what, altered := range map[string]string{
				"another key":       strings.Replace(link, "q3%20report.zip", "q4%20report.zip", 1),
				"another signature": alterSignature(link),
				"a longer expiry":   strings.Replace(link, "X-Amz-Expires=900", "X-Amz-Expires=9000", 1),
			} {
				if altered == link {
					t.Fatalf("%s: the link was not altered", what)
				}
				if status, _ := fetch(t, altered); status != http.StatusForbidden {
					t.Errorf("GET the link with %s: %d, want 403", what, status)
				}
			}
			gw.skew.Store(int64(15*time.Minute + time.Second))
			if status, _ := fetch(t, link); status != http.StatusForbidden {
				t.Errorf("GET the link after it expired: %d, want 403", status)
			}
			gw.skew.Store(0)

			if err := b.Delete(ctx, name); err != nil {
				t.Fatal(err)
			}
			if got := listKeys(t, client, "reports"); len(got) != 0 {
				t.Errorf("after Delete the bucket holds %q", got)
			}
			if _, err := b.Open(ctx, name); probity.ErrorCode(err) != probity.ENOTFOUND {
				t.Errorf("Open after Delete = %v, want not found", err)
			}
			if err := b.Delete(ctx, name); err != nil {
				t.Errorf("Delete of a missing object = %v, want nil", err)
			}
		})
	}

	t.Run("bad names", func(t *testing.T) {
		b := &report.Bucket{S3: client, Name: "reports", Prefix: "p"}
		for _, name := range []string{"", "/abs.zip", "../up.zip", "a/../../up.zip", "a//b.zip", "a/./b.zip"} {
			_, errCreate := b.Create(ctx, name)
			_, errOpen := b.Open(ctx, name)
			errDelete := b.Delete(ctx, name)
			_, errURL := b.URL(ctx, name, time.Minute)
			for op, err := range map[string]error{"Create": errCreate, "Open": errOpen, "Delete": errDelete, "URL": errURL} {
				if probity.ErrorCode(err) != probity.EINVALID {
					t.Errorf("%s(%q) = %v, want invalid", op, name, err)
				}
			}
		}
	})

	t.Run("missing bucket", func(t *testing.T) {
		tmp := t.TempDir()
		b := &report.Bucket{S3: client, Name: "no-such-reports", Prefix: "p", TempDir: tmp}
		wantMissing := func(op string, err error) {
			t.Helper()
			if probity.ErrorCode(err) != probity.ENOTFOUND || !strings.Contains(probity.ErrorMessage(err), `bucket "no-such-reports" does not exist`) {
				t.Errorf("%s: %v (code %s, message %q), want not found naming the bucket", op, err, probity.ErrorCode(err), probity.ErrorMessage(err))
			}
		}
		w, err := b.Create(ctx, "r/x.zip")
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, "PK")
		wantMissing("Create+Close", w.Close())
		assertEmptyDir(t, tmp)
		_, err = b.Open(ctx, "r/x.zip")
		wantMissing("Open", err)
		wantMissing("Delete", b.Delete(ctx, "r/x.zip"))
	})
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	if es, err := os.ReadDir(dir); err != nil || len(es) != 0 {
		t.Errorf("the temporary directory holds %v (%v), want nothing", es, err)
	}
}

func listKeys(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, *o.Key)
	}
	return keys
}

func fetch(t *testing.T, link string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// alterSignature returns the link with the last hex digit of its signature changed.
func alterSignature(link string) string {
	i := strings.Index(link, "X-Amz-Signature=")
	if i < 0 {
		return link
	}
	j := i + len("X-Amz-Signature=") + 63
	if j >= len(link) {
		return link
	}
	c := byte('0')
	if link[j] == '0' {
		c = '1'
	}
	return link[:j] + string(c) + link[j+1:]
}

// presignGateway passes requests to moto, after checking presigned ones (those with
// X-Amz-Signature in the query) as S3 does: 403 for a bad signature or an expired link.
// Its clock runs skew ahead of the real one.
type presignGateway struct {
	*httptest.Server
	skew atomic.Int64
}

func newPresignGateway(t *testing.T, target, secret string) *presignGateway {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	gw := &presignGateway{}
	gw.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("X-Amz-Signature") {
			if err := checkPresigned(r, secret, time.Now().Add(time.Duration(gw.skew.Load()))); err != nil {
				http.Error(w, err.Error(), http.StatusForbidden)
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(gw.Close)
	return gw
}

// checkPresigned checks a SigV4 query-signed request, written from the specification
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html), not
// from the SDK that signs it.
func checkPresigned(r *http.Request, secret string, now time.Time) error {
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" {
		return errors.New("unsupported algorithm")
	}
	signedAt, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("X-Amz-Date: %w", err)
	}
	secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || secs < 1 || secs > 604800 {
		return errors.New("X-Amz-Expires must be 1 to 604800")
	}
	if !now.Before(signedAt.Add(time.Duration(secs) * time.Second)) {
		return errors.New("Request has expired")
	}
	cred := strings.Split(q.Get("X-Amz-Credential"), "/") // AKID/DATE/REGION/SERVICE/aws4_request
	if len(cred) != 5 || cred[1] != signedAt.Format("20060102") || cred[3] != "s3" || cred[4] != "aws4_request" {
		return errors.New("bad credential scope")
	}
	enc := func(s string) string {
		return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
	}
	var params [][2]string
	for k, vs := range q {
		if k == "X-Amz-Signature" {
			continue
		}
		for _, v := range vs {
			params = append(params, [2]string{enc(k), enc(v)})
		}
	}
	slices.SortFunc(params, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	var query []string
	for _, p := range params {
		query = append(query, p[0]+"="+p[1])
	}
	var headers strings.Builder
	for _, h := range strings.Split(q.Get("X-Amz-SignedHeaders"), ";") {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		headers.WriteString(h + ":" + strings.TrimSpace(v) + "\n")
	}
	canonical := strings.Join([]string{r.Method, r.URL.EscapedPath(), strings.Join(query, "&"), headers.String(),
		q.Get("X-Amz-SignedHeaders"), "UNSIGNED-PAYLOAD"}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + q.Get("X-Amz-Date") + "\n" + strings.Join(cred[1:], "/") + "\n" + hex.EncodeToString(sum[:])
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	key := []byte("AWS4" + secret)
	for _, part := range cred[1:] {
		key = mac(key, part)
	}
	if !hmac.Equal([]byte(hex.EncodeToString(mac(key, toSign))), []byte(q.Get("X-Amz-Signature"))) {
		return errors.New("SignatureDoesNotMatch")
	}
	return nil
}

// TestBucketRefusals checks that S3's refusals other than a missing bucket reach the
// report's reason as what to fix, not "internal error". Moto grants every call, so the
// endpoint here is a local server answering each request with the S3 error under test,
// in S3's XML error shape.
func TestBucketRefusals(t *testing.T) {
	for _, tc := range []struct {
		status     int
		code, want string
	}{
		{403, "AccessDenied", `bucket "reports" refused to put p/r/x.zip (AccessDenied): Probity's AWS credentials need s3:PutObject on it`},
		{403, "InvalidAccessKeyId", `(InvalidAccessKeyId): Probity's AWS credentials need s3:PutObject`},
		{301, "PermanentRedirect", `bucket "reports" is in another region than Probity's AWS configuration (PermanentRedirect)`},
		{400, "KMS.DisabledException", `bucket "reports" refused to put p/r/x.zip: KMS.DisabledException`},
	} {
		t.Run(tc.code, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(tc.status)
				fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>refused</Message><RequestId>1</RequestId></Error>`, tc.code)
			}))
			defer srv.Close()
			client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
				Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
			tmp := t.TempDir()
			b := &report.Bucket{S3: client, Name: "reports", Prefix: "p", TempDir: tmp}
			w, err := b.Create(t.Context(), "r/x.zip")
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, "PK")
			err = w.Close()
			if probity.ErrorCode(err) != probity.EINVALID || !strings.Contains(probity.ErrorMessage(err), tc.want) {
				t.Errorf("Close: %v (code %s, message %q), want invalid containing %q", err, probity.ErrorCode(err), probity.ErrorMessage(err), tc.want)
			}
			assertEmptyDir(t, tmp)
		})
	}
}
