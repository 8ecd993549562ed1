package target_test

import (
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/collect/target"
	"github.com/probity-dev/probity/internal/jobs"
)

func TestSpan(t *testing.T) {
	d := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		freq       probity.SourceFrequency
		start, end string // the window
		want       string // the span
	}{
		{"", "2026-03-10T11:00:00Z", "2026-03-10T12:00:00Z", "2026-03-10T10:45:00Z/2026-03-10T11:45:00Z"},
		{"", "2026-03-10T00:00:00Z", "2026-03-10T00:05:00Z", "2026-03-09T23:45:00Z/2026-03-09T23:50:00Z"},
		{probity.FrequencyDaily, "2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z", "2026-03-08T23:45:00Z/2026-03-09T23:45:00Z"},
		{probity.FrequencyWeekly, "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z", "2026-03-01T23:45:00Z/2026-03-08T23:45:00Z"},
		{probity.FrequencyMonthly, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "2026-01-31T23:45:00Z/2026-02-28T23:45:00Z"},
	} {
		task := jobs.Task{Collection: jobs.Collection{Source: probity.ControlMappingSource{SourceFrequency: c.freq}},
			Window: jobs.Window{Start: d(c.start), End: d(c.end)}}
		if got := target.Span(task).String(); got != c.want {
			t.Errorf("Span(%q window %s/%s) = %s, want %s", c.freq, c.start, c.end, got, c.want)
		}
	}
	// Consecutive windows read consecutive spans, whatever the frequency.
	for _, f := range []probity.SourceFrequency{"", probity.FrequencyDaily, probity.FrequencyWeekly, probity.FrequencyMonthly} {
		at := d("2026-02-27T13:30:00Z")
		w1, _ := jobs.WindowFor(f, time.Hour, at)
		next := w1.End // the first run in the next period
		if f == "" {
			next = w1.End.Add(time.Hour) // the next interval has ended
		}
		w2, _ := jobs.WindowFor(f, time.Hour, next)
		s1 := target.Span(jobs.Task{Collection: jobs.Collection{Source: probity.ControlMappingSource{SourceFrequency: f}}, Window: w1})
		s2 := target.Span(jobs.Task{Collection: jobs.Collection{Source: probity.ControlMappingSource{SourceFrequency: f}}, Window: w2})
		if !s1.End.Equal(s2.Start) || !s1.Start.Before(s1.End) {
			t.Errorf("%q: spans %s then %s do not tile", f, s1, s2)
		}
	}
}
