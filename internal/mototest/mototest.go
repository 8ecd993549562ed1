// Package mototest runs moto's AWS emulator (moto_server, installed with python3) for
// tests: one process on a free loopback port, which a test may kill and start again.
// Config's client answers the operations moto lacks (Unimplemented) with a 501 itself,
// so that they read as unavailable rather than as moto's retryable HTML 500
// (docs/decisions/0210-moto-unimplemented-operations.md).
package mototest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Region is the region the emulator is used in.
const Region = "us-east-1"

// Server is one moto_server process.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:PORT.
	URL  string
	port int

	mu  sync.Mutex
	cmd *exec.Cmd
	out *bytes.Buffer
}

// Start starts moto_server and stops it when the test ends. Without moto_server it
// skips the test on a developer's machine and fails it in CI (CI set).
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("moto_server"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("moto_server is not installed: CI must run the AWS emulator tests (pip install 'moto[server]')")
		}
		t.Skip("moto_server is not installed (pip install 'moto[server]')")
	}
	s, err := StartProcess()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Shared returns the test binary's one emulator, started by the first caller, emptied
// (Reset) for each caller: a package whose tests each need an empty emulator pays for
// moto's start once. The package's TestMain calls StopShared after its tests. Tests
// that stop or restart the emulator, or run in parallel, use Start.
func Shared(t testing.TB) *Server {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.s == nil {
		shared.s = Start(noCleanup{t})
	}
	shared.s.Reset(t)
	return shared.s
}

// StopShared stops the emulator Shared started, if any.
func StopShared() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.s != nil {
		shared.s.Stop()
		shared.s = nil
	}
}

var shared struct {
	mu sync.Mutex
	s  *Server
}

// noCleanup is a testing.TB whose Cleanup does nothing: Shared's emulator outlives the
// test that started it.
type noCleanup struct{ testing.TB }

func (noCleanup) Cleanup(func()) {}

// StartProcess starts moto_server on a free loopback port, for programs; the caller
// stops it.
func StartProcess() (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), port: port}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out = &bytes.Buffer{}
	cmd := exec.Command("moto_server", "-H", "127.0.0.1", "-p", strconv.Itoa(s.port))
	cmd.Stdout, cmd.Stderr = s.out, s.out
	diesWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start moto_server: %w", err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.URL + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return fmt.Errorf("moto_server did not come up on %s: %s", s.URL, s.out.String())
}

// Stop kills the emulator; its state is lost. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart starts a stopped emulator again on the same port, empty.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
}

// Reset empties the emulator.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	resp, err := http.Post(s.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset moto: %s", resp.Status)
	}
}

// Config returns an AWS configuration for the emulator: static credentials, the
// emulator as endpoint, one attempt per call (moto answers unknown calls with an HTML
// 500 that retrying does not fix), and an HTTP client that answers the operations of
// Unimplemented with a 501 (UnknownOperationException, or InvalidAction for query
// protocols) itself, without calling moto. Production code treats a 500
// as a transient failure to retry, as it is from AWS, and a 501 as an operation the
// endpoint lacks (the inventory records it as skipped); so tests through Config see
// what production would see against an endpoint that says it lacks the operation.
// See docs/decisions/0210-moto-unimplemented-operations.md.
func (s *Server) Config() aws.Config { return s.ConfigPassing() }

// ConfigPassing is Config, except that the operations of Unimplemented named in ops are
// sent to the endpoint: for a test whose endpoint answers them with recorded responses.
func (s *Server) ConfigPassing(ops ...string) aws.Config {
	pass := map[string]bool{}
	for _, op := range ops {
		pass[op] = true
	}
	return aws.Config{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint:     aws.String(s.URL),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: unimplementedTransport{base: http.DefaultTransport, pass: pass}},
	}
}

// Unimplemented lists the operations moto is known to lack (it raises
// NotImplementedError and answers an HTML 500), as the X-Amz-Target header of JSON
// protocols or the Action of query protocols names them, or, for REST protocols, as
// ServiceID.OperationName (the SDK's names, "AccessAnalyzer.ListAnalyzers"). Add an
// operation here when a test finds moto lacking it.
var Unimplemented = map[string]bool{
	"AmazonSSM.DescribeInstanceInformation":         true,
	"AmazonSSM.ListResourceComplianceSummaries":     true,
	"AmazonSSM.ListComplianceItems":                 true,
	"NetworkFirewall_20201112.ListFirewallPolicies": true,
	"NetworkFirewall_20201112.ListRuleGroups":       true,
	"DescribeClientVpnEndpoints":                    true,
	"DescribeClientVpnAuthorizationRules":           true,
	// moto has no WAF Classic (global or regional); of Shield it lacks these two.
	"AWSWAF_20150824.ListWebACLs":                        true,
	"AWSWAF_20150824.ListRules":                          true,
	"AWSWAF_20150824.ListRuleGroups":                     true,
	"AWSWAF_20150824.ListLoggingConfigurations":          true,
	"AWSWAF_Regional_20161128.ListWebACLs":               true,
	"AWSWAF_Regional_20161128.ListRules":                 true,
	"AWSWAF_Regional_20161128.ListRuleGroups":            true,
	"AWSWAF_Regional_20161128.ListLoggingConfigurations": true,
	"AWSShield_20160616.GetSubscriptionState":            true,
	"AWSShield_20160616.DescribeDRTAccess":               true,
	"DescribeCapacityReservations":                       true,
	"GetAllowedImagesSettings":                           true,
	"DescribeInstanceImageMetadata":                      true,
	"AccessAnalyzer.ListAnalyzers":                       true,
	"BackupOnPremises_v20210101.ListVirtualMachines":     true,
	"BackupOnPremises_v20210101.ListTagsForResource":     true,
	"ListMetricStreams":                                  true,
	"GetMetricStream":                                    true,
	"CodeDeploy_20141006.ListDeploymentConfigs":          true,
	"CodeDeploy_20141006.GetDeploymentConfig":            true,
	"SageMaker.ListImages":                               true,
	"SageMaker.ListAppImageConfigs":                      true,
	"SageMaker.ListFeatureGroups":                        true,
	"AWSGlue.GetMLTransforms":                            true,
	"AmazonAthena.ListPreparedStatements":                true,
	"AWSHawksNestServiceFacade.GetEntityTypes":           true,
	"AWSHawksNestServiceFacade.GetLabels":                true,
	"AWSHawksNestServiceFacade.GetOutcomes":              true,
	"AWSHawksNestServiceFacade.GetVariables":             true,
}

// restOperations names the REST operations of Unimplemented by signing service, method
// and path, for requests that reach the transport without the SDK's context (through
// Endpoint's proxy).
var restOperations = map[string]string{
	"access-analyzer GET /analyzer": "AccessAnalyzer.ListAnalyzers",
}

// signingService returns the service of a SigV4 request's credential scope
// (Credential=KEY/DATE/REGION/SERVICE/aws4_request), "" when there is none.
func signingService(req *http.Request) string {
	_, scope, ok := strings.Cut(req.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	scope, _, _ = strings.Cut(scope, ",")
	if parts := strings.Split(scope, "/"); len(parts) == 5 {
		return parts[3]
	}
	return ""
}

// unimplementedTransport answers the operations of Unimplemented with a 501 carrying
// the protocol's unknown-operation error, and passes every other request to base.
type unimplementedTransport struct {
	base http.RoundTripper
	pass map[string]bool // operations sent to base all the same
}

func (t unimplementedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	op := req.Header.Get("X-Amz-Target")
	if op == "" && req.Body != nil && strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if v, err := url.ParseQuery(string(body)); err == nil {
			op = v.Get("Action")
		}
	}
	rest := false
	if op == "" {
		// REST protocols name the operation nowhere in the request; the SDK's
		// context does.
		if name := awsmiddleware.GetOperationName(req.Context()); name != "" {
			op, rest = awsmiddleware.GetServiceID(req.Context())+"."+name, true
		} else if name, ok := restOperations[signingService(req)+" "+req.Method+" "+req.URL.Path]; ok {
			op, rest = name, true // through Endpoint's proxy, which has no SDK context
		}
	}
	if !Unimplemented[op] || t.pass[op] {
		return t.base.RoundTrip(req)
	}
	if req.Body != nil {
		req.Body.Close()
	}
	// The error AWS's protocols use for an operation the service does not know:
	// UnknownOperationException for JSON protocols, InvalidAction for query protocols.
	h := http.Header{}
	body := `{"__type":"UnknownOperationException","message":"moto does not implement ` + op + `"}`
	if req.Header.Get("X-Amz-Target") != "" || rest { // REST services of Unimplemented speak JSON
		h.Set("Content-Type", "application/x-amz-json-1.1")
		h.Set("X-Amzn-ErrorType", "UnknownOperationException")
	} else if strings.Contains(req.Header.Get("Authorization"), "/ec2/aws4_request") {
		// EC2's query protocol has its own error document.
		h.Set("Content-Type", "text/xml")
		body = `<Response><Errors><Error><Code>InvalidAction</Code><Message>moto does not implement ` + op +
			`</Message></Error></Errors><RequestID>mototest</RequestID></Response>`
	} else {
		h.Set("Content-Type", "text/xml")
		body = `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>moto does not implement ` + op +
			`</Message></Error><RequestId>mototest</RequestId></ErrorResponse>`
	}
	return &http.Response{StatusCode: http.StatusNotImplemented, Status: "501 Not Implemented", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// Endpoint returns the URL of a proxy in front of the emulator that answers the
// operations of Unimplemented with a 501 as Config's client does, for programs that
// reach the emulator through their own configuration (AWS_ENDPOINT_URL). The proxy
// stops when the test ends.
func (s *Server) Endpoint(t testing.TB) string {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.Transport = unimplementedTransport{base: http.DefaultTransport}
	proxy.ErrorLog = log.New(io.Discard, "", 0) // requests a test abandons
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL
}

// ConfigFunc returns Config in the form the pipeline and notify packages load it.
func (s *Server) ConfigFunc() func(context.Context) (aws.Config, error) {
	return func(context.Context) (aws.Config, error) { return s.Config(), nil }
}
