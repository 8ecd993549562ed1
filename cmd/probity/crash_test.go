package main

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/probity-dev/probity/internal/catalog/catalogtest"
	"github.com/probity-dev/probity/internal/pgtest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// probityBinary builds the binary once per test run and returns its path.
func probityBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "probity-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "probity")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = &exec.ExitError{Stderr: out}
		}
	})
	if buildErr != nil {
		t.Fatalf("build probity: %v", buildErr)
	}
	return binPath
}

// TestApplyCrashIsAtomic kills `probity apply` of a large catalog with SIGKILL at random
// moments and checks that the library is then exactly at the old catalog or the new one.
func TestApplyCrashIsAtomic(t *testing.T) {
	bin := probityBinary(t)
	root := t.TempDir()
	oldCat, err := catalogtest.Write(filepath.Join(root, "old"), catalogtest.Spec{Controls: 2000, Frameworks: 40, PerFramework: 50, Revision: "old"})
	if err != nil {
		t.Fatal(err)
	}
	newCat, err := catalogtest.Write(filepath.Join(root, "new"), catalogtest.Spec{Controls: 2400, Frameworks: 48, PerFramework: 50, Revision: "new"})
	if err != nil {
		t.Fatal(err)
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			db := "sqlite:" + filepath.Join(t.TempDir(), "crash.db")
			if backend == "postgres" {
				db = pgtest.DSN(t)
			}
			env := map[string]string{"PROBITY_DB": db}
			state := func() string {
				if code, _, _ := cli(t, env, "plan", "--detailed-exitcode", "--prune", oldCat); code == 0 {
					return "old"
				}
				if code, _, _ := cli(t, env, "plan", "--detailed-exitcode", "--prune", newCat); code == 0 {
					return "new"
				}
				return "between"
			}
			reset := func() {
				if code, _, errOut := cli(t, env, "apply", "--prune", oldCat); code != 0 {
					t.Fatalf("reset to the old catalog: %s", errOut)
				}
			}
			reset()

			// How long a whole apply takes here, to spread the kills over it.
			start := time.Now()
			if out, err := exec.Command(bin, "apply", "--prune", "--db", db, newCat).CombinedOutput(); err != nil {
				t.Fatalf("apply: %v\n%s", err, out)
			}
			full := time.Since(start)
			if got := state(); got != "new" {
				t.Fatalf("after a full apply the library is %s", got)
			}
			reset()

			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
			outcomes := map[string]int{}
			for range 8 {
				cmd := exec.Command(bin, "apply", "--prune", "--db", db, newCat)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// Reading the files takes the first half; the writes come last.
				time.Sleep(full/2 + time.Duration(rng.Int64N(int64(full)*4/5)))
				_ = cmd.Process.Signal(syscall.SIGKILL)
				_ = cmd.Wait()
				got := state()
				outcomes[got]++
				switch got {
				case "between":
					t.Fatalf("after SIGKILL the library is neither the old nor the new catalog")
				case "new":
					reset()
				}
			}
			t.Logf("a full apply takes %v; 8 kills left the library at %v", full.Round(time.Millisecond), outcomes)
		})
	}
}
