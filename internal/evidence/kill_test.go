package evidence_test

import (
	"bufio"
	"context"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

// killBatch is the size of the batch a child is killed in; large enough that the append
// takes a while, so kills land before, during and after its transaction.
const killBatch = 20000

func openURL(t testing.TB, u string) store.Store {
	var st store.Store
	var err error
	if p, ok := strings.CutPrefix(u, "sqlite:"); ok {
		st, err = sqlite.Open(context.Background(), p)
	} else {
		st, err = postgres.Open(context.Background(), u)
	}
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func killBatchOf(trial int) evidence.Batch {
	return batch("aaaaaaaa-0000-4000-8000-0000000000cc", trial, items(killBatch))
}

// TestKillChild is the child of TestKill9DuringAppend: it appends one large batch.
func TestKillChild(t *testing.T) {
	u := os.Getenv("PROBITY_LEDGER_KILL_DB")
	if u == "" {
		t.Skip("run by TestKill9DuringAppend")
	}
	trial, _ := strconv.Atoi(os.Getenv("PROBITY_LEDGER_KILL_TRIAL"))
	st := openURL(t, u)
	defer st.Close()
	fmt.Println("appending")
	if _, err := newLedger(t, st).Append(context.Background(), killBatchOf(trial)); err != nil {
		t.Fatal(err)
	}
}

// TestKill9DuringAppend kills a child process with SIGKILL at a random moment of a large
// append, three times per backend (bench/ledger -kill 20 runs twenty), then retries the
// batch: the chain holds each batch exactly once and verifies after every trial.
func TestKill9DuringAppend(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	const trials = 3
	eachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		u := "sqlite:" + b.path
		if b.name == "postgres" {
			u = b.dsn
		}
		for i := range trials {
			cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), "PROBITY_LEDGER_KILL_DB="+u, "PROBITY_LEDGER_KILL_TRIAL="+strconv.Itoa(i))
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(out)
			for lines.Scan() && lines.Text() != "appending" {
			}
			// Any moment is a valid one to die at: the kill's timing is what is random.
			timer := time.AfterFunc(time.Duration(mrand.IntN(800))*time.Millisecond, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
			_ = cmd.Wait()
			timer.Stop()

			l := newLedger(t, b.store)
			res, err := l.Append(ctx, killBatchOf(i))
			if err != nil {
				t.Fatalf("trial %d: retry: %v", i, err)
			}
			c, err := b.store.EvidenceChain(ctx, account, "aaaaaaaa-0000-4000-8000-0000000000cc")
			if err != nil || c.Seq != int64((i+1)*killBatch) {
				t.Fatalf("trial %d: chain %+v, %v; want %d records", i, c, err, (i+1)*killBatch)
			}
			mustVerify(t, l, "aaaaaaaa-0000-4000-8000-0000000000cc")
			t.Logf("trial %d: retry duplicate=%v", i, res.Duplicate)
		}
	})
}
