// Package mototest runs moto's AWS emulator (moto_server, installed with python3) for
// tests: one process on a free loopback port, which a test may kill and start again.
package mototest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
// emulator as endpoint, and one attempt per call (moto answers unknown calls with an
// HTML 500 that retrying does not fix).
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint:     aws.String(s.URL),
		RetryMaxAttempts: 1,
	}
}

// ConfigFunc returns Config in the form the pipeline and notify packages load it.
func (s *Server) ConfigFunc() func(context.Context) (aws.Config, error) {
	return func(context.Context) (aws.Config, error) { return s.Config(), nil }
}
