// Command catalog measures the controls-as-code commands on a large synthetic catalog:
// validate, plan, first apply, no-op plan and no-op apply, on SQLite and PostgreSQL,
// each as a real `probity` process with its wall time and peak RSS.
//
//	go run ./bench/catalog                      # SQLite only
//	PROBITY_TEST_POSTGRES=postgres://... go run ./bench/catalog   # both backends
//
// scripts/postgres starts a throwaway PostgreSQL and prints the variable to export.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/probity-dev/probity/internal/catalog/catalogtest"
)

func main() {
	spec := catalogtest.Spec{Revision: "1"}
	flag.IntVar(&spec.Controls, "controls", 10000, "controls in the catalog")
	flag.IntVar(&spec.Frameworks, "frameworks", 200, "frameworks in the catalog")
	flag.IntVar(&spec.PerFramework, "per-framework", 50, "controls per framework")
	runs := flag.Int("runs", 3, "runs of each step; the median is reported")
	flag.Parse()
	if err := run(spec, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type sample struct {
	wall time.Duration
	rss  int64 // KiB
}

func run(spec catalogtest.Spec, runs int) error {
	tmp, err := os.MkdirTemp("", "probity-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "probity")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/probity").CombinedOutput(); err != nil {
		return fmt.Errorf("build (run from the repository root): %v\n%s", err, out)
	}
	dir, err := catalogtest.Write(filepath.Join(tmp, "catalog"), spec)
	if err != nil {
		return err
	}

	fmt.Printf("Catalog: %d controls, %d frameworks of %d controls; %s, %d CPUs, %s\n\n",
		spec.Controls, spec.Frameworks, spec.PerFramework, runtime.GOARCH, runtime.NumCPU(), cpuModel())
	floor, err := readAll(dir)
	if err != nil {
		return err
	}
	fmt.Printf("Floor: reading the %d files without parsing takes %v.\n\n", spec.Controls+spec.Frameworks, floor.Round(time.Millisecond))

	backends := []string{"sqlite"}
	if os.Getenv("PROBITY_TEST_POSTGRES") != "" {
		backends = append(backends, "postgres")
	}
	steps := []struct {
		name string
		args []string
	}{
		{"validate", []string{"validate", dir}},
		{"plan (empty library)", []string{"plan", dir}},
		{"first apply", []string{"apply", dir}},
		{"no-op plan", []string{"plan", dir}},
		{"no-op apply", []string{"apply", dir}},
	}
	fmt.Println("| backend | step | median wall | max wall | peak RSS |")
	fmt.Println("|---|---|---|---|---|")
	for _, backend := range backends {
		results := make([][]sample, len(steps))
		for range runs {
			db, drop, err := freshDB(backend, tmp)
			if err != nil {
				return err
			}
			for i, s := range steps {
				args := append(slices.Clone(s.args), "--db", db)
				if s.name == "validate" {
					args = s.args
				}
				got, err := measure(bin, args)
				if err != nil {
					drop()
					return fmt.Errorf("%s %s: %w", backend, s.name, err)
				}
				results[i] = append(results[i], got)
			}
			drop()
		}
		for i, s := range steps {
			walls := make([]time.Duration, len(results[i]))
			var rss int64
			for k, r := range results[i] {
				walls[k] = r.wall
				rss = max(rss, r.rss)
			}
			slices.Sort(walls)
			fmt.Printf("| %s | %s | %v | %v | %d MB |\n", backend, s.name, walls[len(walls)/2].Round(time.Millisecond),
				walls[len(walls)-1].Round(time.Millisecond), rss/1024)
		}
	}
	return nil
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
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss
	}
	return sample{wall: wall, rss: rss}, nil
}

// freshDB returns the URL of an empty library and a function that removes it.
func freshDB(backend, tmp string) (string, func(), error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "bench_" + hex.EncodeToString(b[:])
	if backend == "sqlite" {
		path := filepath.Join(tmp, name+".db")
		return "sqlite:" + path, func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		}, nil
	}
	base := os.Getenv("PROBITY_TEST_POSTGRES")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		if c, err := pgx.Connect(ctx, base); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	}, nil
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
