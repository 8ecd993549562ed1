package jobs

import (
	"fmt"
	"time"

	"github.com/probity-dev/probity"
)

// DefaultContinuousInterval is the collection window of a continuous source (one without a
// sourceFrequency, such as Security Hub findings or CloudTrail events) when Config names none.
const DefaultContinuousInterval = time.Hour

// Window is the span of time one collection covers, [Start, End), in UTC. A collection is
// identified by its window: two jobs for the same source and window are the same collection.
type Window struct {
	Start, End time.Time
}

// String returns the window as "START/END" in RFC 3339.
func (w Window) String() string {
	return w.Start.Format(time.RFC3339) + "/" + w.End.Format(time.RFC3339)
}

// WindowFor returns the window that a collection of a source with frequency f, run at t, covers:
//   - DAILY, WEEKLY, MONTHLY: the UTC day, ISO week (Monday to Monday) or calendar month that
//     holds t. A snapshot source is collected once in each, at the first run inside it.
//   - no frequency (a continuous source): the latest interval of length continuous, counted from
//     the Unix epoch, that has ended at or before t; events are collected once their interval is
//     over, so no event of it can arrive after the collection.
//
// It returns an error for an unknown frequency or a continuous interval that is not positive.
func WindowFor(f probity.SourceFrequency, continuous time.Duration, t time.Time) (Window, error) {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch f {
	case probity.FrequencyDaily:
		return Window{day, day.AddDate(0, 0, 1)}, nil
	case probity.FrequencyWeekly:
		// time.Weekday counts from Sunday; ISO weeks start on Monday.
		start := day.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
		return Window{start, start.AddDate(0, 0, 7)}, nil
	case probity.FrequencyMonthly:
		start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return Window{start, start.AddDate(0, 1, 0)}, nil
	case "":
		if continuous <= 0 {
			return Window{}, fmt.Errorf("continuous interval %s is not positive", continuous)
		}
		end := time.Unix(0, 0).UTC().Add(t.Sub(time.Unix(0, 0)).Truncate(continuous))
		return Window{end.Add(-continuous), end}, nil
	}
	return Window{}, fmt.Errorf("unknown source frequency %q", f)
}
