package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"
)

// TestPlanSeesAPIDrift checks that a control that files define but the API owns (made
// with CreateControl, so UpdateControl may change it) is planned as drift, with exactly
// the members that differ, whenever the API changes it: plan and apply read only the
// library's outline and the content digest every write records, and a file whose
// control moved is parsed again. Changed back, there is nothing to do.
func TestPlanSeesAPIDrift(t *testing.T) {
	ctx := context.Background()
	s := startServe(t)
	c := s.Root()
	env := map[string]string{"PROBITY_DB": s.DB}
	run := func(want int, args ...string) string {
		t.Helper()
		code, out, errOut := cli(t, env, args...)
		if code != want {
			t.Fatalf("probity %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out + errOut
	}
	created, err := c.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("Drifting"), Description: aws.String("from the API"),
		ControlMappingSources: manual("evidence")})
	if err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{"controls/drifting.yaml": "name: Drifting\ndescription: from the file\n" +
		"datasources:\n  - sourceName: evidence\n    sourceType: MANUAL\n"})
	line := func(members string) string {
		return `~ control "Drifting" (` + dir + `/controls/drifting.yaml): ` + members
	}
	if out := run(2, "plan", "--detailed-exitcode", dir); !strings.Contains(out, line("description")) {
		t.Fatalf("plan of the API's control:\n%s\nwant %s", out, line("description"))
	}
	run(0, "apply", dir)
	run(0, "plan", "--detailed-exitcode", dir)

	get := func() *types.Control {
		t.Helper()
		got, err := c.GetControl(ctx, &am.GetControlInput{ControlId: created.Control.Id})
		if err != nil {
			t.Fatal(err)
		}
		return got.Control
	}
	update := func(change func(in *am.UpdateControlInput)) {
		t.Helper()
		ctl := get()
		in := &am.UpdateControlInput{ControlId: ctl.Id, Name: ctl.Name, Description: ctl.Description,
			TestingInformation: ctl.TestingInformation, ActionPlanTitle: ctl.ActionPlanTitle,
			ActionPlanInstructions: ctl.ActionPlanInstructions, ControlMappingSources: ctl.ControlMappingSources}
		change(in)
		if _, err := c.UpdateControl(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		change  func(in *am.UpdateControlInput)
		members string
	}{
		{"description", func(in *am.UpdateControlInput) { in.Description = aws.String("edited in the console") }, "description"},
		{"a data source", func(in *am.UpdateControlInput) {
			srcs := append([]types.ControlMappingSource{}, in.ControlMappingSources...)
			srcs[0].TroubleshootingText = aws.String("ask the bucket owner")
			in.ControlMappingSources = srcs
		}, "controlMappingSources"},
		{"testing information and action plan", func(in *am.UpdateControlInput) {
			in.TestingInformation, in.ActionPlanTitle = aws.String("look"), aws.String("fix it")
		}, "testingInformation, actionPlanTitle"},
	}
	for _, tt := range tests {
		update(tt.change)
		if out := run(2, "plan", "--detailed-exitcode", dir); !strings.Contains(out, line(tt.members)) {
			t.Fatalf("plan after UpdateControl of %s:\n%s\nwant %s", tt.name, out, line(tt.members))
		}
		if out := run(0, "apply", dir); !strings.Contains(out, "Applied: 0 created, 1 updated, 0 deleted.") {
			t.Fatalf("apply after UpdateControl of %s:\n%s", tt.name, out)
		}
		run(0, "plan", "--detailed-exitcode", dir)
	}
	// Changed and changed back through the API: the content is what the file says again.
	original := get().Description
	update(func(in *am.UpdateControlInput) { in.Description = aws.String("for a moment") })
	run(2, "plan", "--detailed-exitcode", dir)
	update(func(in *am.UpdateControlInput) { in.Description = original })
	run(0, "plan", "--detailed-exitcode", dir)
}
