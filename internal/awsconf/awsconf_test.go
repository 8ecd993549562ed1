package awsconf

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/mototest"
)

// awsEnv is every variable of the SDK's chain that the tests set or must not inherit.
var awsEnv = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_S3", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	"AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_ROLE_ARN",
}

// isolate gives the test a chain of its own: the variables in set, moto's static
// credentials, no shared files, no instance metadata service, nothing inherited.
func isolate(t *testing.T, set map[string]string) {
	t.Helper()
	for _, k := range awsEnv {
		t.Setenv(k, "") // restores the old value when the test ends
		os.Unsetenv(k)
	}
	none := filepath.Join(t.TempDir(), "none")
	base := map[string]string{
		"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
		"AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none, "AWS_EC2_METADATA_DISABLED": "true",
	}
	for k, v := range base {
		t.Setenv(k, v)
	}
	for k, v := range set {
		t.Setenv(k, v)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		o    Options
		want string // "" for valid
	}{
		{Options{}, ""},
		{Options{Region: "us-gov-west-1", Endpoint: "https://minio.example.com:9000/", PathStyle: true, MaxAttempts: 1}, ""},
		{Options{Endpoint: "http://127.0.0.1:5000"}, ""},
		{Options{Region: "US-EAST-1"}, `AWS region "US-EAST-1": want a region name such as us-east-1`},
		{Options{Region: "us-east-1/x"}, `AWS region "us-east-1/x": want a region name such as us-east-1`},
		{Options{Region: "-us"}, `AWS region "-us": want a region name such as us-east-1`},
		{Options{Endpoint: "127.0.0.1:9000"}, `AWS endpoint "127.0.0.1:9000": want an http or https URL such as http://127.0.0.1:9000`},
		{Options{Endpoint: "minio.example.com"}, `AWS endpoint "minio.example.com": want an http or https URL such as http://127.0.0.1:9000`},
		{Options{Endpoint: "ftp://example.com"}, `AWS endpoint "ftp://example.com": want an http or https URL such as http://127.0.0.1:9000`},
		{Options{Endpoint: "http://"}, `AWS endpoint "http://": want an http or https URL such as http://127.0.0.1:9000`},
		{Options{MaxAttempts: -1}, `AWS max attempts -1: want 0 (the SDK's default) or more`},
	}
	isolate(t, map[string]string{"AWS_REGION": "us-east-1"})
	for _, tt := range tests {
		err := tt.o.Validate()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%+v: %v, want valid", tt.o, err)
			}
			continue
		}
		if err == nil || err.Error() != tt.want || probity.ErrorCode(err) != probity.EINVALID {
			t.Errorf("%+v: got %v (code %q), want %q (invalid)", tt.o, err, probity.ErrorCode(err), tt.want)
		}
		if _, lerr := Load(context.Background(), tt.o); lerr == nil || lerr.Error() != tt.want {
			t.Errorf("Load(%+v) = %v, want %q", tt.o, lerr, tt.want)
		}
	}
}

// fakeIMDS serves an EC2 instance metadata service (IMDSv2) in region.
func fakeIMDS(t *testing.T, region string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
			w.Write([]byte("token"))
		case r.URL.Path == "/latest/dynamic/instance-identity/document" && r.Header.Get("X-Aws-Ec2-Metadata-Token") == "token":
			w.Write([]byte(`{"region": "` + region + `", "accountId": "123456789012"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestLoadRegion(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(profile, []byte("[default]\nregion = ap-southeast-2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		o    Options
		want string // region, or the error
	}{
		{"environment", map[string]string{"AWS_REGION": "eu-west-1"}, Options{}, "eu-west-1"},
		{"option over environment", map[string]string{"AWS_REGION": "eu-west-1"}, Options{Region: "cn-north-1"}, "cn-north-1"},
		{"shared config file", map[string]string{"AWS_CONFIG_FILE": profile}, Options{}, "ap-southeast-2"},
		{"environment over shared config file", map[string]string{"AWS_CONFIG_FILE": profile, "AWS_REGION": "us-west-2"}, Options{}, "us-west-2"},
		{"instance metadata service last", map[string]string{
			"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": fakeIMDS(t, "us-gov-east-1"),
		}, Options{}, "us-gov-east-1"},
		{"shared config file over instance metadata service", map[string]string{
			"AWS_CONFIG_FILE": profile, "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": fakeIMDS(t, "us-gov-east-1"),
		}, Options{}, "ap-southeast-2"},
		{"none", nil, Options{}, "no AWS region: set AWS_REGION or a profile's region (the EC2 instance metadata service gave none: "},
		{"bad region in the environment", map[string]string{"AWS_REGION": "eu west 1"}, Options{}, `AWS region "eu west 1": want a region name such as us-east-1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t, tt.env)
			cfg, err := Load(context.Background(), tt.o)
			if strings.Contains(tt.want, " ") {
				if err == nil || !strings.HasPrefix(err.Error(), tt.want) || probity.ErrorCode(err) != probity.EINVALID {
					t.Fatalf("got %v (region %q), want an invalid error starting %q", err, cfg.Region, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region != tt.want {
				t.Errorf("region %q, want %q", cfg.Region, tt.want)
			}
		})
	}
}

// TestLoadEndpoint shows which endpoint a client ends up with: the SDK honours
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, the service's own winning, and the
// Endpoint option wins over both. A dead endpoint (nothing listens on port 1) in the
// losing place proves the winner is used.
func TestLoadEndpoint(t *testing.T) {
	m := mototest.Start(t)
	const dead = "http://127.0.0.1:1"
	tests := []struct {
		name string
		env  map[string]string
		o    Options
	}{
		{"option", nil, Options{Endpoint: m.URL}},
		{"AWS_ENDPOINT_URL, honoured by the SDK", map[string]string{"AWS_ENDPOINT_URL": m.URL}, Options{}},
		{"AWS_ENDPOINT_URL_STS, honoured by the SDK", map[string]string{"AWS_ENDPOINT_URL_STS": m.URL}, Options{}},
		{"option over AWS_ENDPOINT_URL", map[string]string{"AWS_ENDPOINT_URL": dead}, Options{Endpoint: m.URL}},
		{"AWS_ENDPOINT_URL_STS over AWS_ENDPOINT_URL", map[string]string{"AWS_ENDPOINT_URL": dead, "AWS_ENDPOINT_URL_STS": m.URL}, Options{}},
		{"option over AWS_ENDPOINT_URL_STS", map[string]string{"AWS_ENDPOINT_URL_STS": dead}, Options{Endpoint: m.URL}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t, tt.env)
			tt.o.Region, tt.o.MaxAttempts = mototest.Region, 1
			cfg, err := Load(context.Background(), tt.o)
			if err != nil {
				t.Fatal(err)
			}
			id, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(id.Account); got != motoAccount {
				t.Errorf("account %s, want moto's %s", got, motoAccount)
			}
		})
	}
}

// errRecorded stops a request once recorder has seen it.
var errRecorded = errors.New("recorded")

// recorder is an HTTP client that records the URL of each request and sends nothing.
type recorder struct{ urls []string }

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	r.urls = append(r.urls, req.URL.Host+req.URL.Path)
	return nil, errRecorded
}

func TestS3Options(t *testing.T) {
	tests := []struct {
		pathStyle bool
		want      string
	}{
		{true, "s3.example.test:9000/catalog/controls/a.yaml"},
		{false, "catalog.s3.example.test:9000/controls/a.yaml"},
	}
	for _, tt := range tests {
		isolate(t, nil)
		o := Options{Region: "us-east-1", Endpoint: "http://s3.example.test:9000", PathStyle: tt.pathStyle, MaxAttempts: 1}
		cfg, err := Load(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		cfg.HTTPClient = rec
		_, err = s3.NewFromConfig(cfg, o.S3Options).GetObject(context.Background(),
			&s3.GetObjectInput{Bucket: aws.String("catalog"), Key: aws.String("controls/a.yaml")})
		if !errors.Is(err, errRecorded) || len(rec.urls) != 1 || rec.urls[0] != tt.want {
			t.Errorf("PathStyle %v: requests %v (err %v), want one to %s", tt.pathStyle, rec.urls, err, tt.want)
		}
	}
}
