// Command catalog measures the controls-as-code commands as the catalog grows: validate,
// cold apply, no-op plan, a one-file change planned and applied, and export, each as a real
// `probity` process with its wall time and peak RSS; and, with -serve, how long `probity
// serve --catalog DIR` takes to make a one-file change visible, with the server's peak
// RSS. SQLite always, PostgreSQL too when PROBITY_TEST_POSTGRES is set.
//
//	go run ./bench/catalog -sizes 1000,10000,50000 -runs 3
//
// scripts/postgres starts a throwaway PostgreSQL and prints the variable to export.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/probity-dev/probity/bench/internal/benchdb"
	"github.com/probity-dev/probity/internal/catalog/catalogtest"
)

func main() {
	sizes := flag.String("sizes", "1000,10000,50000", "catalog sizes (controls), comma-separated")
	perFramework := flag.Int("per-framework", 50, "controls per framework; there is one framework per this many controls")
	runs := flag.Int("runs", 3, "runs of each step, each on a fresh library")
	bin := flag.String("bin", "", "the probity binary to measure (default: build ./cmd/probity)")
	backends := flag.String("backends", "", "backends to measure (default sqlite, and postgres when PROBITY_TEST_POSTGRES is set)")
	serve := flag.Bool("serve", true, "also measure serve --catalog: one-file change to visible")
	changes := flag.Int("changes", 5, "one-file changes made to each serve run")
	flag.Parse()
	cfg := config{runs: *runs, bin: *bin, serve: *serve, changes: *changes, perFramework: *perFramework}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < *perFramework {
			fmt.Fprintf(os.Stderr, "bench: bad size %q\n", s)
			os.Exit(2)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	cfg.backends = []string{"sqlite"}
	if os.Getenv("PROBITY_TEST_POSTGRES") != "" {
		cfg.backends = append(cfg.backends, "postgres")
	}
	if *backends != "" {
		cfg.backends = strings.Split(*backends, ",")
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type config struct {
	sizes        []int
	perFramework int
	runs         int
	bin          string
	backends     []string
	serve        bool
	changes      int
}

type sample struct {
	wall time.Duration
	rss  int64 // KiB
}

// The steps of one run, in order, each on the library the previous ones left.
var steps = []string{"validate", "cold apply", "no-op plan", "one-file plan", "one-file apply", "export"}

func run(cfg config) error {
	tmp, err := os.MkdirTemp("", "probity-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := cfg.bin
	if bin == "" {
		bin = filepath.Join(tmp, "probity")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/probity").CombinedOutput(); err != nil {
			return fmt.Errorf("build (run from the repository root): %v\n%s", err, out)
		}
	}
	fmt.Printf("%s, %d CPUs, %s; load average at start: %s\n\n", runtime.GOARCH, runtime.NumCPU(), cpuModel(), loadavg())
	fmt.Println("| backend | controls | frameworks | step | wall min / median / max | peak RSS max |")
	fmt.Println("|---|---:|---:|---|---|---:|")
	for _, n := range cfg.sizes {
		spec := catalogtest.Spec{Controls: n, Frameworks: n / cfg.perFramework, PerFramework: cfg.perFramework, Revision: "1"}
		dir, err := catalogtest.Write(filepath.Join(tmp, fmt.Sprintf("catalog-%d", n)), spec)
		if err != nil {
			return err
		}
		floor, err := readAll(dir)
		if err != nil {
			return err
		}
		fmt.Printf("| | %d | %d | floor: read the files | %v | |\n", n, spec.Frameworks, floor.Round(time.Millisecond))
		for _, backend := range cfg.backends {
			if err := runSize(cfg, bin, tmp, dir, backend, spec); err != nil {
				return fmt.Errorf("%s, %d controls: %w", backend, n, err)
			}
		}
		os.RemoveAll(dir)
	}
	fmt.Printf("\nload average at the end: %s\n", loadavg())
	return nil
}

func runSize(cfg config, bin, tmp, dir, backend string, spec catalogtest.Spec) error {
	changed := filepath.Join(dir, "controls", "c00000.yaml")
	results := map[string][]sample{}
	var visible []time.Duration
	var serveRSS []int64
	for range cfg.runs {
		db, drop, err := benchdb.Fresh(context.Background(), backend, tmp, "bench")
		if err != nil {
			return err
		}
		err = func() error {
			defer drop()
			defer os.WriteFile(changed, catalogtest.Control(0, "1"), 0o644)
			for _, step := range steps {
				var args []string
				switch step {
				case "validate":
					args = []string{"validate", dir}
				case "cold apply", "one-file apply":
					args = []string{"apply", dir, "--db", db, "--source", dir}
				case "export":
					out := filepath.Join(tmp, "export")
					if err := os.RemoveAll(out); err != nil {
						return err
					}
					defer os.RemoveAll(out)
					args = []string{"export", out, "--db", db}
				default:
					args = []string{"plan", dir, "--db", db, "--source", dir}
				}
				if step == "one-file plan" {
					if err := os.WriteFile(changed, catalogtest.Control(0, "2"), 0o644); err != nil {
						return err
					}
				}
				got, err := measure(bin, args)
				if err != nil {
					return fmt.Errorf("%s: %w", step, err)
				}
				results[step] = append(results[step], got)
			}
			if !cfg.serve {
				return nil
			}
			lat, rss, err := measureServe(bin, dir, db, changed, cfg.changes)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			visible = append(visible, lat...)
			serveRSS = append(serveRSS, rss)
			return nil
		}()
		if err != nil {
			return err
		}
	}
	for _, step := range steps {
		walls := make([]time.Duration, 0, cfg.runs)
		var rss int64
		for _, r := range results[step] {
			walls = append(walls, r.wall)
			rss = max(rss, r.rss)
		}
		fmt.Printf("| %s | %d | %d | %s | %s | %d MB |\n", backend, spec.Controls, spec.Frameworks, step, spread(walls), rss/1024)
	}
	if cfg.serve {
		fmt.Printf("| %s | %d | %d | serve: one-file change to visible (%d changes) | %s | %d MB |\n", backend, spec.Controls,
			spec.Frameworks, len(visible), spread(visible), slices.Max(serveRSS)/1024)
	}
	return nil
}

// spread formats min / median / max.
func spread(d []time.Duration) string {
	slices.Sort(d)
	r := func(x time.Duration) time.Duration { return x.Round(time.Millisecond) }
	return fmt.Sprintf("%v / %v / %v", r(d[0]), r(d[len(d)/2]), r(d[len(d)-1]))
}

// measure runs the binary once and returns its wall time and peak resident set.
func measure(bin string, args []string) (sample, error) {
	cmd := exec.Command(bin, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%v\n%s", err, out)
	}
	return sample{wall: wall, rss: maxRSS(cmd)}, nil
}

func maxRSS(cmd *exec.Cmd) int64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru != nil {
		return ru.Maxrss
	}
	return 0
}

// measureServe starts `probity serve --catalog dir`, waits for its first reconcile, then
// rewrites the changed file n times, each time measuring from the write until the server
// logs the reconcile that updated the control (after its commit). It returns those times
// and the server's peak RSS over its whole life, first reconcile included.
func measureServe(bin, dir, db, changed string, n int) ([]time.Duration, int64, error) {
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--db", db, "--catalog", dir)
	cmd.Env = append(os.Environ(), "PROBITY_ROOT_ACCESS_KEY_ID=", "PROBITY_ROOT_SECRET_ACCESS_KEY=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, 0, err
	}
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "catalog reconciled") || strings.Contains(sc.Text(), "level=ERROR") {
				lines <- sc.Text()
			}
		}
		io.Copy(io.Discard, stderr)
		close(lines)
	}()
	stop := func() int64 {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		return maxRSS(cmd)
	}
	next := func(want string) error {
		timeout := time.After(5 * time.Minute)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					return errors.New("the server stopped")
				}
				if strings.Contains(l, "level=ERROR") {
					return errors.New(l)
				}
				if strings.Contains(l, want) {
					return nil
				}
			case <-timeout:
				return fmt.Errorf("no %q in 5 minutes", want)
			}
		}
	}
	if err := next("catalog reconciled"); err != nil {
		stop()
		return nil, 0, err
	}
	var out []time.Duration
	for i := range n {
		start := time.Now()
		if err := os.WriteFile(changed, catalogtest.Control(0, strconv.Itoa(i+3)), 0o644); err != nil { // the steps before left revision 2
			stop()
			return nil, 0, err
		}
		if err := next("updated=1"); err != nil {
			stop()
			return nil, 0, err
		}
		out = append(out, time.Since(start))
	}
	return out, stop(), nil
}

func readAll(dir string) (time.Duration, error) {
	start := time.Now()
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		_, err = os.ReadFile(p)
		return err
	})
	return time.Since(start), err
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
