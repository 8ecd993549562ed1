package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
)

// TestServeKeepsSecretsOutOfEveryOutput runs serve with secrets in every place a source
// or a target can carry one (a git URL's query, an SMTP password, a webhook's query) and
// checks that none shows in the log, /metrics, /healthz, the notification sent or the
// one served by ListNotifications, while the sources and targets are still named.
func TestServeKeepsSecretsOutOfEveryOutput(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("git is not installed: CI must run this test")
		}
		t.Skip("git is not installed")
	}
	secrets := []string{"GITQUERYTOKEN1", "FILEQUERYTOKEN2", "SMTPPASSWORD3", "HOOKQUERYTOKEN4"}

	// A repository that go-git reaches through a file:// URL with a query: the query is
	// part of the directory's name, so the fetch works and a notification is sent.
	parent := t.TempDir()
	repo := filepath.Join(parent, "repo?token="+secrets[1])
	gitRun := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if err := os.MkdirAll(filepath.Join(repo, "controls"), 0o755); err != nil {
		t.Fatal(err)
	}
	control := "name: Secretless\ndatasources:\n  - sourceName: Manual\n    sourceType: MANUAL\n"
	if err := os.WriteFile(filepath.Join(repo, "controls", "c.yaml"), []byte(control), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRun("init", "-q", "-b", "main")
	gitRun("add", ".")
	gitRun("commit", "-q", "-m", "first")

	var mu sync.Mutex
	var hooks []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		hooks = append(hooks, string(b))
		mu.Unlock()
	}))
	defer hook.Close()
	delivered := func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(hooks, "\n")
	}

	fileSource := "file://" + repo + "#main"
	httpsSource := "https://127.0.0.1:1/org/catalog.git?token=" + secrets[0] + "#main" // nothing listens there
	s := startServe(t,
		"--catalog", fileSource, "--catalog", httpsSource, "--catalog-interval", "1h",
		"--notify", "smtp://probity:"+secrets[2]+"@127.0.0.1:1?from=probity@example.com&to=audit@example.com",
		"--notify", "webhook:"+hook.URL+"/hook?token="+secrets[3])

	wantFile := "file://" + filepath.Join(parent, "repo") + "?token=xxxxx#main"
	wantHTTPS := "https://127.0.0.1:1/org/catalog.git?token=xxxxx#main"
	get := func(path string) string {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	// Wait until the file source's outcome is delivered and the https source has failed.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if strings.Contains(delivered(), "Secretless") &&
			strings.Contains(get("/metrics"), `probity_catalog_source_errors_total{source="`+wantHTTPS+`"}`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no notification or no failure of the https source:\nwebhook: %s\nlog:\n%s", delivered(), s.Stderr)
		}
	}
	notes, err := s.Root().ListNotifications(context.Background(), &am.ListNotificationsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var listed strings.Builder
	for _, n := range notes.Notifications {
		listed.WriteString(aws.ToString(n.Source) + "\n" + aws.ToString(n.Description) + "\n")
	}
	outputs := map[string]string{
		"/metrics":          get("/metrics"),
		"/healthz":          get("/healthz"),
		"notification sent": delivered(),
		"ListNotifications": listed.String(),
	}
	s.Stop(t)
	outputs["log"] = s.Stderr.String()

	for what, text := range outputs {
		for _, sec := range secrets {
			if strings.Contains(text, sec) {
				t.Errorf("%s reveals %s:\n%s", what, sec, text)
			}
		}
	}
	for what, want := range map[string]string{
		"/metrics":          wantHTTPS,
		"notification sent": "Catalog source: " + wantFile,
		"ListNotifications": wantFile,
		"log":               wantHTTPS,
	} {
		if !strings.Contains(outputs[what], want) {
			t.Errorf("%s does not name the source as %s:\n%s", what, want, outputs[what])
		}
	}
	if !strings.Contains(outputs["log"], "smtp://probity@127.0.0.1:1") {
		t.Errorf("the log does not name the smtp target:\n%s", outputs["log"])
	}
}
