package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/probity-dev/probity"
)

func TestWindowFor(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name       string
		freq       probity.SourceFrequency
		continuous time.Duration
		now        string
		start, end string
	}{
		{"daily midday", probity.FrequencyDaily, 0, "2026-03-14T12:30:00Z", "2026-03-14T00:00:00Z", "2026-03-15T00:00:00Z"},
		{"daily at midnight", probity.FrequencyDaily, 0, "2026-03-14T00:00:00Z", "2026-03-14T00:00:00Z", "2026-03-15T00:00:00Z"},
		{"daily last instant", probity.FrequencyDaily, 0, "2026-03-14T23:59:59.999999999Z", "2026-03-14T00:00:00Z", "2026-03-15T00:00:00Z"},
		{"daily in UTC, not local", probity.FrequencyDaily, 0, "2026-03-14T23:30:00-05:00", "2026-03-15T00:00:00Z", "2026-03-16T00:00:00Z"},
		{"daily over the year end", probity.FrequencyDaily, 0, "2025-12-31T18:00:00Z", "2025-12-31T00:00:00Z", "2026-01-01T00:00:00Z"},
		{"weekly Monday start", probity.FrequencyWeekly, 0, "2026-03-16T00:00:00Z", "2026-03-16T00:00:00Z", "2026-03-23T00:00:00Z"},
		{"weekly Sunday end", probity.FrequencyWeekly, 0, "2026-03-22T23:59:59Z", "2026-03-16T00:00:00Z", "2026-03-23T00:00:00Z"},
		{"weekly midweek", probity.FrequencyWeekly, 0, "2026-03-18T08:00:00Z", "2026-03-16T00:00:00Z", "2026-03-23T00:00:00Z"},
		{"weekly across months", probity.FrequencyWeekly, 0, "2026-04-02T08:00:00Z", "2026-03-30T00:00:00Z", "2026-04-06T00:00:00Z"},
		{"weekly across years", probity.FrequencyWeekly, 0, "2026-01-01T08:00:00Z", "2025-12-29T00:00:00Z", "2026-01-05T00:00:00Z"},
		{"weekly in UTC, not local", probity.FrequencyWeekly, 0, "2026-03-15T20:00:00-08:00", "2026-03-16T00:00:00Z", "2026-03-23T00:00:00Z"},
		{"monthly first instant", probity.FrequencyMonthly, 0, "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"},
		{"monthly 31-day month end", probity.FrequencyMonthly, 0, "2026-01-31T23:59:59Z", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"},
		{"monthly February", probity.FrequencyMonthly, 0, "2026-02-28T12:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"},
		{"monthly leap February", probity.FrequencyMonthly, 0, "2028-02-29T12:00:00Z", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"},
		{"monthly 30-day month", probity.FrequencyMonthly, 0, "2026-04-30T12:00:00Z", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"},
		{"monthly December", probity.FrequencyMonthly, 0, "2026-12-31T23:00:00Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"monthly in UTC, not local", probity.FrequencyMonthly, 0, "2026-03-31T22:00:00-04:00", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"},
		{"continuous: the last ended hour", "", time.Hour, "2026-03-14T12:30:00Z", "2026-03-14T11:00:00Z", "2026-03-14T12:00:00Z"},
		{"continuous: at a boundary, the hour just ended", "", time.Hour, "2026-03-14T12:00:00Z", "2026-03-14T11:00:00Z", "2026-03-14T12:00:00Z"},
		{"continuous: over midnight", "", time.Hour, "2026-03-15T00:10:00Z", "2026-03-14T23:00:00Z", "2026-03-15T00:00:00Z"},
		{"continuous: 15 minutes", "", 15 * time.Minute, "2026-03-14T12:44:59Z", "2026-03-14T12:15:00Z", "2026-03-14T12:30:00Z"},
		{"continuous: in UTC", "", time.Hour, "2026-03-14T12:30:00+05:30", "2026-03-14T06:00:00Z", "2026-03-14T07:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := WindowFor(c.freq, c.continuous, at(c.now))
			if err != nil {
				t.Fatal(err)
			}
			want := Window{at(c.start), at(c.end)}
			if !got.Start.Equal(want.Start) || !got.End.Equal(want.End) || got.Start.Location() != time.UTC {
				t.Errorf("WindowFor(%q, %s, %s) = %s, want %s (UTC)", c.freq, c.continuous, c.now, got, want)
			}
		})
	}
}

func TestWindowForRejects(t *testing.T) {
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		freq       probity.SourceFrequency
		continuous time.Duration
	}{{"HOURLY", time.Hour}, {"daily", time.Hour}, {"", 0}, {"", -time.Hour}} {
		if w, err := WindowFor(c.freq, c.continuous, now); err == nil {
			t.Errorf("WindowFor(%q, %s) = %s, want an error", c.freq, c.continuous, w)
		}
	}
}

func TestNewRegistry(t *testing.T) {
	c := CollectorFunc(func(context.Context, Task) ([]probity.Evidence, error) { return nil, nil })
	for _, tc := range []struct {
		name string
		regs []Registration
		ok   bool
	}{
		{"none", nil, true},
		{"every collected type", []Registration{{probity.SourceTypeConfig, c}, {probity.SourceTypeSecurityHub, c}, {probity.SourceTypeCloudTrail, c}, {probity.SourceTypeAPICall, c}}, true},
		{"duplicate", []Registration{{probity.SourceTypeConfig, c}, {probity.SourceTypeConfig, c}}, false},
		{"manual", []Registration{{probity.SourceTypeManual, c}}, false},
		{"common control", []Registration{{probity.SourceTypeCommon, c}}, false},
		{"unknown type", []Registration{{"AWS_Other", c}}, false},
		{"nil collector", []Registration{{probity.SourceTypeConfig, nil}}, false},
	} {
		_, err := NewRegistry(tc.regs...)
		if (err == nil) != tc.ok {
			t.Errorf("%s: NewRegistry error = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}
