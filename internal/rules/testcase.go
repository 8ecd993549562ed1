package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/probity-dev/probity/internal/ci"
)

// CaseFile is one file of rule test cases (docs/rules.md describes the format): the
// rule, and cases that each give parameters, a clock, an input (a CI or a snapshot) and
// the results expected, or the error expected.
type CaseFile struct {
	Rule  string `json:"rule"`
	Cases []Case `json:"cases"`
}

// Case is one test case. Expected results are compared in order on resourceType,
// resourceId and complianceType, and on annotation when the expected one is not empty.
// When Error is set, evaluation must fail with an error containing it.
type Case struct {
	Name     string            `json:"name"`
	Params   map[string]string `json:"params,omitempty"`
	Now      string            `json:"now,omitempty"`
	Input    json.RawMessage   `json:"input"`
	Expected []Result          `json:"expected"`
	Error    string            `json:"error,omitempty"`
}

// CaseFailure is a case whose outcome differs from what it expects.
type CaseFailure struct {
	File, Case, Problem string
}

func (f CaseFailure) String() string { return f.File + ": " + f.Case + ": " + f.Problem }

// RunCaseDir runs every *.json case file under dir and returns how many cases ran and
// the failures. It fails when a file cannot be read or parsed (path:line:col) or names
// an unknown rule.
func RunCaseDir(dir string) (int, []CaseFailure, error) {
	return RunCaseDirWith(dir, nil)
}

// RunCaseDirWith is RunCaseDir where a case file may also name a custom rule of custom
// (keyed by keyword, as CompileAll makes it); see Resolve.
func RunCaseDirWith(dir string, custom map[string]*Rule) (int, []CaseFailure, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	if len(files) == 0 {
		return 0, nil, fmt.Errorf("%s: no *.json case files", dir)
	}
	slices.Sort(files)
	n := 0
	var failures []CaseFailure
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return n, failures, err
		}
		var cf CaseFile
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cf); err != nil {
			return n, failures, fmt.Errorf("%s:%s", f, jsonPos(b, err))
		}
		rule, err := Resolve(cf.Rule, custom)
		if err != nil {
			return n, failures, fmt.Errorf("%s: rule: %w", f, err)
		}
		for i, c := range cf.Cases {
			n++
			name := c.Name
			if name == "" {
				name = fmt.Sprintf("cases[%d]", i)
			}
			if p := RunCase(rule, c); p != "" {
				failures = append(failures, CaseFailure{File: f, Case: name, Problem: p})
			}
		}
	}
	return n, failures, nil
}

// RunCase runs one case of rule and returns "" when it passes, else what differs.
func RunCase(rule *Rule, c Case) string {
	got, err := runCase(rule, c)
	switch {
	case c.Error != "" && err == nil:
		return fmt.Sprintf("want an error containing %q, got results %s", c.Error, jsonText(got))
	case c.Error != "" && !strings.Contains(err.Error(), c.Error):
		return fmt.Sprintf("want an error containing %q, got %v", c.Error, err)
	case c.Error != "":
		return ""
	case err != nil:
		return "error: " + err.Error()
	}
	if len(got) != len(c.Expected) {
		return fmt.Sprintf("got %d results %s, want %d %s", len(got), jsonText(got), len(c.Expected), jsonText(c.Expected))
	}
	for i, w := range c.Expected {
		g := got[i]
		if g.ResourceType != w.ResourceType || g.ResourceID != w.ResourceID || g.ComplianceType != w.ComplianceType ||
			(w.Annotation != "" && g.Annotation != w.Annotation) {
			return fmt.Sprintf("result %d: got %s, want %s", i, jsonText(g), jsonText(w))
		}
	}
	return ""
}

func runCase(rule *Rule, c Case) ([]Result, error) {
	check, err := rule.Bind(c.Params)
	if err != nil {
		return nil, err
	}
	env := Env{Now: time.Now()}
	if c.Now != "" {
		if env.Now, err = time.Parse(time.RFC3339, c.Now); err != nil {
			return nil, fmt.Errorf("now: %w", err)
		}
	}
	var got []Result
	err = Evaluate(check, ci.NewDecoder(bytes.NewReader(c.Input)), env, func(r Result) error {
		got = append(got, r)
		return nil
	})
	return got, err
}

func jsonText(v any) string { b, _ := json.Marshal(v); return string(b) }

// jsonPos prefixes a JSON error with line:col when it carries an offset.
func jsonPos(b []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errorsAs(err, &se):
		off = se.Offset
	case errorsAs(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return " " + err.Error()
	}
	line, col := 1, 1
	for _, c := range b[:min(int(off), len(b))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("%d:%d: %v", line, col, err)
}

var errorsAs = errors.As
