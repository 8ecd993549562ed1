package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/jobs"
	"github.com/probity-dev/probity/internal/rules"
)

// evaluateAlone is the per-rule path as the collector ran it before it evaluated the
// rules of a collection in one pass: the snapshot decoded once per rule, every in-scope
// item evaluated, then the account-level results. It is the oracle of EvaluateAll.
func evaluateAlone(check *rules.Check, snapshot []byte, region string, env rules.Env) ([]probity.Evidence, error) {
	dec := ci.NewDecoder(bytes.NewReader(snapshot))
	var out []probity.Evidence
	if len(check.Rule.Related) > 0 { // the rule reads related items: rules.EvaluateRelated
		err := rules.EvaluateRelated(check, dec, env, func(it *ci.Item, res rules.Result) error {
			var arn string
			if it != nil {
				arn = it.ARN
			} else {
				arn = resultARN(dec.Account(), region, res)
			}
			out = append(out, evidenceOf(check.Rule.ID, res, arn, region))
			return nil
		})
		return out, err
	}
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if !check.Rule.InScope(it.ResourceType) {
			continue
		}
		if env.Account == nil {
			env.Account = dec.Account()
		}
		res, err := check.EvaluateItem(it, env)
		if err != nil {
			return nil, err
		}
		out = append(out, evidenceOf(check.Rule.ID, res, it.ARN, region))
	}
	acct := dec.Account()
	results, err := check.EvaluateAccount(acct, env)
	if err != nil {
		return nil, err
	}
	for _, res := range results {
		out = append(out, evidenceOf(check.Rule.ID, res, resultARN(acct, region, res), region))
	}
	return out, nil
}

// ruleCase is one case of the rules' case files: its rule, parameters, clock and input.
type ruleCase struct {
	name   string
	rule   string
	params map[string]string
	now    time.Time
	input  []byte // a snapshot
	error  bool   // the case expects an error
}

// ruleCases reads every case of the rules' case files, each input as a snapshot (a lone
// CI becomes a snapshot of that item).
func ruleCases(t testing.TB) []ruleCase {
	files, err := filepath.Glob("../../rules/testdata/cases/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("rule case files: %v (%d found)", err, len(files))
	}
	var out []ruleCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cf rules.CaseFile
		if err := json.Unmarshal(b, &cf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, c := range cf.Cases {
			rc := ruleCase{name: fmt.Sprintf("%s[%d] %s", filepath.Base(f), i, c.Name), rule: cf.Rule, params: c.Params,
				now: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), input: c.Input, error: c.Error != ""}
			if c.Now != "" {
				if rc.now, err = time.Parse(time.RFC3339, c.Now); err != nil {
					t.Fatalf("%s: %v", rc.name, err)
				}
			}
			var probe struct {
				Items json.RawMessage `json:"items"`
			}
			if json.Unmarshal(c.Input, &probe) != nil || probe.Items == nil {
				rc.input = []byte(`{"items":[` + string(c.Input) + `]}`)
			}
			out = append(out, rc)
		}
	}
	return out
}

// defaultChecks returns every managed rule that runs with its defaults, bound so: the
// rules an AWS_Config source can name.
func defaultChecks() []*rules.Check {
	var out []*rules.Check
	for _, r := range rules.All() {
		if c, err := r.Bind(nil); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// marshal returns the evidence as JSON, or the error's text.
func marshal(evs []probity.Evidence, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	b, merr := json.Marshal(evs)
	if merr != nil {
		return "marshal: " + merr.Error()
	}
	return string(b)
}

// EvaluateAll gives every check, byte for byte, the evidence (or the error) of a pass of
// its own, over the input of every rule case (compliant, non-compliant, not applicable,
// deleted, malformed configurations that stop one rule, account facts), with every rule
// that runs with its defaults and the case's own rule with the case's parameters in the
// same pass.
func TestEvaluateAllMatchesEachRuleAlone(t *testing.T) {
	base := defaultChecks()
	if len(base) < 60 {
		t.Fatalf("%d rules run with their defaults, want at least 60", len(base))
	}
	cases := ruleCases(t)
	errorsSeen := 0
	for _, rc := range cases {
		checks := base
		if r, err := rules.Get(rc.rule); err == nil {
			if c, err := r.Bind(rc.params); err == nil {
				checks = append(checks[:len(checks):len(checks)], c)
			}
		}
		env := rules.Env{Now: rc.now}
		evs, errs := EvaluateAll(checks, rc.input, "us-east-1", env)
		if len(evs) != len(checks) || len(errs) != len(checks) {
			t.Fatalf("%s: %d evidence lists and %d errors for %d checks", rc.name, len(evs), len(errs), len(checks))
		}
		for i, c := range checks {
			want := marshal(evaluateAlone(c, rc.input, "us-east-1", env))
			if got := marshal(evs[i], errs[i]); got != want {
				t.Errorf("%s, rule %s: one pass gave\n%s\nalone\n%s", rc.name, c.Rule.ID, got, want)
			}
			if errs[i] != nil {
				errorsSeen++
			}
		}
	}
	if errorsSeen == 0 {
		t.Error("no check failed in any case: the test does not cover one rule's error beside the others' results")
	}
	// A snapshot that does not decode fails every check with the decoder's error.
	bad := []byte(`{"items":[{"resourceType":"AWS::S3::Bucket","resourceId":"b","configuration":{}},{"resourceType":`)
	_, errs := EvaluateAll(base, bad, "us-east-1", rules.Env{})
	for i, err := range errs {
		if _, want := evaluateAlone(base[i], bad, "us-east-1", rules.Env{}); err == nil || err.Error() != want.Error() {
			t.Fatalf("rule %s on a truncated snapshot: %v, want %v", base[i].Rule.ID, err, want)
		}
	}
}

// bigSnapshot returns a snapshot of at least n CIs: the items of the rule cases that
// expect no error, repeated, with the account facts of the richest case.
func bigSnapshot(t testing.TB, n int) []byte {
	var items []json.RawMessage
	var account json.RawMessage
	for _, rc := range ruleCases(t) {
		if rc.error {
			continue
		}
		var s struct {
			Account json.RawMessage   `json:"account"`
			Items   []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(rc.input, &s); err != nil {
			t.Fatalf("%s: %v", rc.name, err)
		}
		items = append(items, s.Items...)
		if len(s.Account) > len(account) {
			account = s.Account
		}
	}
	var buf bytes.Buffer
	buf.WriteString(`{"account":`)
	buf.Write(account)
	buf.WriteString(`,"items":[`)
	for i := 0; i < n || i%len(items) != 0; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(items[i%len(items)])
	}
	buf.WriteString(`],"skipped":[]}`)
	return buf.Bytes()
}

// configTask returns the task of an AWS_Config source naming rule, with its siblings.
func configTask(rule string, siblings []probity.ControlMappingSource) jobs.Task {
	return jobs.Task{
		Collection: assess.Collection{Account: "111122223333", AssessmentID: "a", ControlID: rule, Source: configSource(rule)},
		Target:     "111122223333",
		Window:     jobs.Window{Start: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)},
		Siblings:   siblings,
	}
}

func configSource(rule string) probity.ControlMappingSource {
	return probity.ControlMappingSource{SourceType: probity.SourceTypeConfig, SourceFrequency: probity.FrequencyDaily,
		SourceKeyword: &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: rule}}
}

// collectAll runs the tasks of rule IDs through the collector's evaluation of a cached
// snapshot, one after another as `probity collect` runs them, and returns the evidence
// by rule and the passes made over the snapshot.
func collectAll(t testing.TB, snapshot []byte, ids []string, withSiblings bool, now time.Time) (map[string]string, int) {
	ctx := context.Background()
	c := &Collector{Now: func() time.Time { return now }}
	var siblings []probity.ControlMappingSource
	if withSiblings {
		for _, id := range ids {
			siblings = append(siblings, configSource(id))
		}
		// Sources the collector cannot run alone: a rule with a required parameter and
		// an unknown rule. Their own tasks fail; they do not stop the others' pass.
		siblings = append(siblings, configSource("IAM_POLICY_IN_USE"), configSource("NO_SUCH_RULE"))
	}
	out := map[string]string{}
	var entry *cacheEntry
	for _, id := range ids {
		task := configTask(id, siblings)
		e, err := c.cache.entry(ctx, DefaultCacheSize, cacheKey{task.Target, "us-east-1", task.Window.String()},
			func(context.Context) ([]byte, error) { return snapshot, nil })
		if err != nil {
			t.Fatal(err)
		}
		entry = e
		// The snapshot is cached, so the configuration is never used.
		rule, err := rules.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		check, err := rule.Bind(nil)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := c.regionEvidence(ctx, aws.Config{}, task, "us-east-1", true, check, batchOf(check, task.Siblings))
		out[id] = marshal(evs, err)
	}
	return out, entry.passes
}

// The collector evaluates the rules of an assessment's AWS_Config sources in one pass
// over each snapshot, decoding each item once, and each task gets byte for byte the
// evidence of a pass of its own; a task whose rule is not among its siblings makes a
// pass of its own, and none is made again for a rule already evaluated.
func TestCollectorOnePassPerSnapshot(t *testing.T) {
	snapshot := bigSnapshot(t, 500)
	var ids []string
	for _, c := range defaultChecks() {
		ids = append(ids, c.Rule.ID)
	}
	now := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	got, passes := collectAll(t, snapshot, ids, true, now)
	if passes != 1 {
		t.Errorf("%d passes over the snapshot for %d rules, want 1", passes, len(ids))
	}
	alone, passesAlone := collectAll(t, snapshot, ids, false, now)
	if passesAlone != len(ids) {
		t.Errorf("%d passes without siblings, want one per rule (%d)", passesAlone, len(ids))
	}
	for _, id := range ids {
		check, _ := rules.Get(id)
		c, _ := check.Bind(nil)
		want := marshal(evaluateAlone(c, snapshot, "us-east-1", rules.Env{Now: now}))
		if got[id] != want || alone[id] != want {
			t.Errorf("rule %s: with siblings\n%.300s\nalone\n%.300s\nwant\n%.300s", id, got[id], alone[id], want)
		}
	}
	// A rule outside the siblings makes one more pass, and only one.
	_, passes = collectAll(t, snapshot, []string{ids[0], ids[1], ids[0], ids[1]}, false, now)
	if passes != 2 {
		t.Errorf("%d passes for two rules asked twice each, want 2", passes)
	}
}

// BenchmarkCollectAssessment measures the evaluation side of collecting an assessment
// whose controls have one AWS_Config source each, one per managed rule that runs with
// its defaults, from one account and region whose snapshot (10,000 CIs: the items of
// the rule cases, repeated) is already cached: the tasks run one after another, as
// `probity collect` runs them. "each_rule" gives the tasks no siblings, so each rule
// decodes the snapshot again (the collector before the one-pass change); "one_pass"
// gives them their assessment's sources, as the planner does. docs/benchmarks.md
// records a run of
//
//	go test -run '^$' -bench CollectAssessment -benchtime 5x ./internal/collect/inventory/
func BenchmarkCollectAssessment(b *testing.B) {
	snapshot := bigSnapshot(b, 10000)
	var ids []string
	for _, c := range defaultChecks() {
		ids = append(ids, c.Rule.ID)
	}
	now := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, mode := range []struct {
		name     string
		siblings bool
	}{{"each_rule", false}, {"one_pass", true}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				collectAll(b, snapshot, ids, mode.siblings, now)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/assessment")
			// CPU time moves much less than the wall clock with the others' load.
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/assessment")
			b.ReportMetric(float64(len(ids)), "rules")
		})
	}
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Tasks of one assessment that run at the same time, as the runner's workers run them,
// share one pass over the snapshot and each get their own rule's evidence.
func TestCollectorConcurrentTasksSharePass(t *testing.T) {
	snapshot := bigSnapshot(t, 200)
	ids := []string{"S3_BUCKET_VERSIONING_ENABLED", "INCOMING_SSH_DISABLED", "IAM_USER_MFA_ENABLED", "ENCRYPTED_VOLUMES", "ACCESS_KEYS_ROTATED"}
	var siblings []probity.ControlMappingSource
	for _, id := range ids {
		siblings = append(siblings, configSource(id))
	}
	now := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	c := &Collector{Now: func() time.Time { return now }}
	ctx := context.Background()
	got := make([]string, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			task := configTask(id, siblings)
			rule, err := rules.Get(id)
			if err != nil {
				t.Error(err)
				return
			}
			check, err := rule.Bind(nil)
			if err != nil {
				t.Error(err)
				return
			}
			// The first task to ask fills the cache; the others wait for it.
			if _, err := c.cache.entry(ctx, DefaultCacheSize, cacheKey{task.Target, "us-east-1", task.Window.String()},
				func(context.Context) ([]byte, error) { return snapshot, nil }); err != nil {
				t.Error(err)
				return
			}
			got[i] = marshal(c.regionEvidence(ctx, aws.Config{}, task, "us-east-1", true, check, batchOf(check, task.Siblings)))
		})
	}
	wg.Wait()
	for i, id := range ids {
		rule, _ := rules.Get(id)
		check, _ := rule.Bind(nil)
		if want := marshal(evaluateAlone(check, snapshot, "us-east-1", rules.Env{Now: now})); got[i] != want {
			t.Errorf("rule %s: got\n%.300s\nwant\n%.300s", id, got[i], want)
		}
	}
	e, err := c.cache.entry(ctx, DefaultCacheSize, cacheKey{"111122223333", "us-east-1", configTask(ids[0], nil).Window.String()}, nil)
	if err != nil || e.passes != 1 {
		t.Errorf("entry %v, %v: want one pass for %d concurrent tasks", e, err, len(ids))
	}
}
