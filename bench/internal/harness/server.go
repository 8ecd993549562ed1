// Package harness is what the API benchmarks share: building the real `probity` binary,
// a fresh database on either backend, `probity serve` as a child process signed into
// with a root key, its resident memory, and its Go profiles when built with them. The
// clients that load it are in load.go.
package harness

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The root key every server of a benchmark is started with and every client signs with.
const KeyID, KeySecret = "PRBBENCHROOT00000001", "bench-secret-bench-secret-bench-secret00"

// Build builds ./cmd/probity (the benchmark runs from the repository root) into dir, with
// -tags pprof when pprof is set, and returns the binary's path; it fails with the
// compiler's output.
func Build(dir string, pprof bool) (string, error) {
	bin := filepath.Join(dir, "probity")
	args := []string{"build", "-o", bin}
	if pprof {
		args = append(args, "-tags", "pprof")
	}
	if out, err := exec.Command("go", append(args, "./cmd/probity")...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("build (run from the repository root): %v\n%s", err, out)
	}
	return bin, nil
}

// Server is a running `probity serve`.
type Server struct {
	Name  string
	URL   string // base URL of the API
	PProf string // base URL of its Go profiles, when built with them
	Pid   int
}

// Start starts `probity serve` of bin on a free loopback port and the library at dbURL,
// with the root key and args (such as --jobs=false), its stderr (the access log) going
// to logPath, and returns it once it listens, with the function that stops it (SIGINT,
// then waits). With profile it serves its Go profiles too (a binary Built with pprof).
// It fails with the server's log when the server exits first.
func Start(ctx context.Context, bin, name, dbURL, logPath string, profile bool, args ...string) (*Server, func(), error) {
	s := &Server{Name: name}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--db", dbURL}, args...)...)
	cmd.Env = append(os.Environ(), "PROBITY_ROOT_ACCESS_KEY_ID="+KeyID, "PROBITY_ROOT_SECRET_ACCESS_KEY="+KeySecret)
	if profile {
		addr, err := FreePort()
		if err != nil {
			return nil, nil, err
		}
		cmd.Env = append(cmd.Env, "PROBITY_PPROF_LISTEN="+addr)
		s.PProf = "http://" + addr
	}
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, nil, err
	}
	s.Pid = cmd.Process.Pid
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		<-exited
		logFile.Close()
	}
	const announce = "probity: listening on "
	for s.URL == "" {
		select {
		case <-exited:
			b, _ := os.ReadFile(logPath)
			return nil, nil, fmt.Errorf("probity serve %s exited: %s", name, b)
		case <-time.After(20 * time.Millisecond):
		}
		b, _ := os.ReadFile(logPath)
		if i := bytes.Index(b, []byte(announce)); i >= 0 {
			if line, _, ok := strings.Cut(string(b[i+len(announce):]), "\n"); ok {
				s.URL = line
			}
		}
	}
	return s, stop, nil
}

// FreePort returns a loopback address that was free a moment ago.
func FreePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// RSS returns the resident set size of the process in bytes, -1 when it is unknown.
func RSS(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return -1
}

// WatchRSS samples the process's RSS every interval until the returned function is
// called, which returns the first sample and the largest (-1 for a process it could not
// read).
func WatchRSS(pid int, every time.Duration) func() (first, peak int64) {
	first := RSS(pid)
	peak := first
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				peak = max(peak, RSS(pid))
			}
		}
	}()
	return func() (int64, int64) {
		close(done)
		<-stopped // peak is written only by the goroutine, until here
		return first, max(peak, RSS(pid))
	}
}

// ProfileDuring starts fetching the CPU profile of the server at pprof for the measured
// window (duration, after warmup) into path, and returns the function that waits for it.
func ProfileDuring(pprof string, warmup, duration time.Duration, path string) func() error {
	errc := make(chan error, 1)
	go func() {
		time.Sleep(warmup)
		secs := max(1, int(duration.Seconds()))
		errc <- Save(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", pprof, secs), path)
	}()
	return func() error { return <-errc }
}

// Save writes what an unsigned GET of u answers to path; it fails on a status other than 200.
func Save(u, path string) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: %s", u, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
