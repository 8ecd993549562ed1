package mototest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestEmulatorDiesWithItsProcess checks that an emulator started by a process that then
// dies without stopping it (a test binary killed by its timeout) goes with it: a child
// run of this test binary starts one, prints its address and exits at once.
func TestEmulatorDiesWithItsProcess(t *testing.T) {
	if os.Getenv("MOTOTEST_ORPHAN") == "1" {
		s, err := StartProcess()
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		fmt.Println(strings.TrimPrefix(s.URL, "http://"))
		os.Exit(0) // without Stop
	}
	if _, err := exec.LookPath("moto_server"); err != nil {
		t.Fatalf("moto_server is needed (scripts/test installs it): %v", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestEmulatorDiesWithItsProcess$")
	cmd.Env = append(os.Environ(), "MOTOTEST_ORPHAN=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	addr := strings.TrimSpace(strings.Split(string(out), "\n")[0])
	if _, _, err := net.SplitHostPort(addr); err != nil {
		t.Fatalf("child printed %q, not an address", out)
	}
	// The kill is asynchronous: wait for the port to close, without a clock-bound
	// assertion (the test's own timeout bounds it).
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(100 * time.Millisecond)
	}
}
