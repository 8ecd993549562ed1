package main

import (
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func TestVersion(t *testing.T) {
	code, out, errOut := cli(t, nil, "--version")
	if code != ExitOK || !regexp.MustCompile(`^probity \S+ \(commit \S+, go\S+\)\n$`).MatchString(out) {
		t.Fatalf("probity --version = %d, %q, %q", code, out, errOut)
	}

	bi := func(main string, settings ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: main}}
		for i := 0; i < len(settings); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return info
	}
	tests := []struct {
		name, ldflags string
		info          *debug.BuildInfo
		ok            bool
		want          string
	}{
		{"release build", "v1.2.3", bi("v1.2.3", "vcs.revision", "abc123", "vcs.modified", "false"), true, "v1.2.3 (commit abc123, go1.26.8)"},
		{"-X overrides the module version", "v2.0.0", bi("v1.2.3", "vcs.revision", "abc123"), true, "v2.0.0 (commit abc123, go1.26.8)"},
		{"module version without -X", "", bi("v1.2.3"), true, "v1.2.3 (commit unknown, go1.26.8)"},
		{"uncommitted changes", "", bi("(devel)", "vcs.revision", "abc123", "vcs.modified", "true"), true, "(devel) (commit abc123+dirty, go1.26.8)"},
		{"no build information", "", nil, false, "unknown (commit unknown, unknown)"},
	}
	defer func(v string) { version = v }(version)
	for _, tt := range tests {
		version = tt.ldflags
		if got := versionText(tt.info, tt.ok); got != tt.want {
			t.Errorf("%s: versionText = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestServeSaysListeningOnce: the address is announced on one line, which scripts read.
func TestServeSaysListeningOnce(t *testing.T) {
	s := startServe(t)
	s.Stop(t)
	if n := strings.Count(s.Stderr.String(), "listening"); n != 1 {
		t.Errorf("serve said listening %d times:\n%s", n, s.Stderr)
	}
}

// TestServeAddressInUse: a taken port fails serve at once, with exit code 2 and a plain
// message, before any catalog source is opened.
func TestServeAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	env := map[string]string{"PROBITY_ROOT_ACCESS_KEY_ID": testRootID, "PROBITY_ROOT_SECRET_ACCESS_KEY": testRootSecret}
	code, _, errOut := cli(t, env, "serve", "--listen", ln.Addr().String(), "--db", "sqlite:"+filepath.Join(t.TempDir(), "x.db"), "--catalog", t.TempDir())
	want := "probity: cannot listen on " + ln.Addr().String() + ": address already in use"
	if code != ExitUsage || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q; want exit 2 and only %q...", code, errOut, want)
	}
}

// TestServeShutdownIsBounded stops serve while its catalog source is in the middle of a
// read that never ends: a git server that accepts the connection and never answers. The
// process still ends, promptly, naming the source if it had to give up on it.
func TestServeShutdownIsBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c // held open, never answered
		}
	}()
	repo := "http://" + ln.Addr().String() + "/catalog.git"
	s := startServe(t, "--catalog", repo, "--shutdown-timeout", "100ms")
	conn := <-accepted // the source is now waiting for an answer
	defer conn.Close()

	s.stop()
	s.stop = nil
	select {
	case code := <-s.exit:
		switch {
		case code == 0:
		case code == ExitUsage && strings.Contains(s.Stderr.String(), "still reading it"):
		default:
			t.Errorf("serve exited with %d, want 0, or 2 naming the stuck source:\n%s", code, s.Stderr)
		}
	case <-time.After(time.Minute): // only a guard: the bound under test is 100ms
		t.Fatalf("serve did not stop within a minute of the signal with --shutdown-timeout 100ms:\n%s", s.Stderr)
	}
}

// TestServeTrustedProxy: behind a proxy named by --trusted-proxy, the access log (and the
// console's sign-in throttle, which reads the same address) sees the client that the
// proxy forwarded; without the flag X-Forwarded-For is the client's own word and is
// ignored. A bad prefix stops serve before it listens.
func TestServeTrustedProxy(t *testing.T) {
	get := func(s *apiServer) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL+"/ui/signin", nil)
		req.Header.Set("X-Forwarded-For", "198.51.100.7")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		s.Stop(t) // every access log line is written once serve has exited
	}
	trusted := startServe(t, "--jobs=false", "--trusted-proxy", "127.0.0.1/32,::1")
	get(trusted)
	if log := trusted.Stderr.String(); !strings.Contains(log, "remote=198.51.100.7:0") {
		t.Errorf("behind a trusted proxy the log does not name the forwarded client:\n%s", log)
	}
	direct := startServe(t, "--jobs=false")
	get(direct)
	if log := direct.Stderr.String(); strings.Contains(log, "198.51.100.7") || !strings.Contains(log, "remote=127.0.0.1:") {
		t.Errorf("without --trusted-proxy the log believed X-Forwarded-For:\n%s", log)
	}
	env := map[string]string{"PROBITY_ROOT_ACCESS_KEY_ID": testRootID, "PROBITY_ROOT_SECRET_ACCESS_KEY": testRootSecret}
	code, _, errOut := cli(t, env, "serve", "--listen", "127.0.0.1:0", "--db", "sqlite:"+filepath.Join(t.TempDir(), "x.db"), "--trusted-proxy", "10.0.0.0/40")
	if code != ExitUsage || !strings.Contains(errOut, `--trusted-proxy: trusted proxy "10.0.0.0/40"`) {
		t.Fatalf("bad --trusted-proxy: exit %d, %q", code, errOut)
	}
}
