package jobs

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
)

// Each task carries the sources of its assessment of its type and frequency, its own
// included, whether the tasks are planned together (CollectNow) or a job runs one
// (runArgs): not those of another assessment, type or frequency.
func TestTasksCarryTheirSiblings(t *testing.T) {
	plan := &testPlan{}
	a1 := []probity.ControlMappingSource{
		configSource("d1", probity.FrequencyDaily), configSource("d2", probity.FrequencyDaily),
		configSource("w1", probity.FrequencyWeekly), hubSource("hub"),
		{SourceID: "m", SourceType: probity.SourceTypeManual, SourceName: "Manual"},
	}
	plan.add(&testAssessment{account: "111111111111", id: "a1", active: true, sources: a1})
	plan.add(&testAssessment{account: "111111111111", id: "a2", active: true, sources: []probity.ControlMappingSource{configSource("d3", probity.FrequencyDaily)}})
	want := map[string][]string{ // by assessment and source: the siblings' ids
		"a1 d1": {"d1", "d2"}, "a1 d2": {"d1", "d2"}, "a1 w1": {"w1"}, "a1 hub": {"hub"}, "a2 d3": {"d3"},
	}

	var mu sync.Mutex
	got := map[string][]string{}
	record := CollectorFunc(func(_ context.Context, task Task) ([]probity.Evidence, error) {
		mu.Lock()
		defer mu.Unlock()
		var ids []string
		for _, s := range task.Siblings {
			ids = append(ids, s.SourceID)
		}
		got[task.AssessmentID+" "+task.Source.SourceID] = ids
		return nil, nil
	})
	reg, err := NewRegistry(Registration{probity.SourceTypeConfig, record}, Registration{probity.SourceTypeSecurityHub, record})
	if err != nil {
		t.Fatal(err)
	}
	svc := &Service{Plan: plan, Appender: &testLedger{}, Collectors: reg, Now: func() time.Time { return fixedNow }}
	ctx := context.Background()
	if _, err := svc.CollectNow(ctx, Filter{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("siblings by task, CollectNow (-want +got):\n%s", diff)
	}

	tasks, err := svc.Due(ctx, Filter{}, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	got = map[string][]string{}
	for _, task := range tasks {
		if _, err := svc.runArgs(ctx, argsOf(task)); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("siblings by task, one job each (-want +got):\n%s", diff)
	}
}
