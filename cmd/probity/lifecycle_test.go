package main

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
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

// TestServeShutdownIsBounded stops serve while its directory source is stuck reading a
// FIFO, a read no context can interrupt: serve still exits, once --shutdown-timeout has
// passed, with exit code 2 and a message naming the source.
func TestServeShutdownIsBounded(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "controls"), 0o755); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "controls", "stuck.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	s := startServe(t, "--catalog", dir, "--shutdown-timeout", "100ms")
	// Opening the write end without blocking succeeds once the source has the FIFO open
	// for reading; holding it open keeps the source's read blocked.
	var w *os.File
	for w == nil {
		f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		switch {
		case err == nil:
			w = f
		case errors.Is(err, syscall.ENXIO): // no reader yet
			time.Sleep(5 * time.Millisecond)
		default:
			t.Fatal(err)
		}
	}
	defer w.Close() // ends the read, so that the source's goroutine ends too

	s.stop()
	s.stop = nil
	select {
	case code := <-s.exit:
		if code != ExitUsage || !strings.Contains(s.Stderr.String(), "catalog source "+dir+": still reading it") {
			t.Errorf("serve exited with %d, want 2 and the stuck source named:\n%s", code, s.Stderr)
		}
	case <-time.After(time.Minute): // only a guard: the bound under test is 100ms
		t.Fatalf("serve did not stop within a minute of the signal with --shutdown-timeout 100ms:\n%s", s.Stderr)
	}
}
