package console

import (
	"fmt"
	"time"

	"github.com/probity-dev/probity/internal/insights"
)

// trendChart is a stacked bar chart of evidence by day, drawn on the server as SVG by
// the "trend" template, with the same numbers as a table for screen readers and anyone
// who prefers one. Its geometry is in viewBox units; the SVG scales to its box.
type trendChart struct {
	ID            string // unique on the page: the table's id, which the SVG names
	Label         string // what the chart shows, for its accessible name
	Width, Height int
	Max           int // the highest day's total, the top of the scale
	Bars          []trendBar
	Days          []insights.Day
	Total         insights.Counts
}

// trendBar is one day's stack: compliant at the bottom, then non-compliant, then
// inconclusive.
type trendBar struct {
	X, W  int
	Title string
	Segs  []trendSeg
}

type trendSeg struct {
	Y, H  int
	Class string
}

// Chart geometry, in viewBox units.
const (
	chartHeight = 120
	barStep     = 10
	barWidth    = 8
)

// newTrendChart lays out the days (oldest first) as a chart named id.
func newTrendChart(id, label string, days []insights.Day) trendChart {
	ch := trendChart{ID: id, Label: label, Width: max(len(days)*barStep, barStep), Height: chartHeight, Days: days}
	for _, d := range days {
		ch.Max = max(ch.Max, d.Total())
		ch.Total.Compliant += d.Compliant
		ch.Total.NonCompliant += d.NonCompliant
		ch.Total.Inconclusive += d.Inconclusive
	}
	for i, d := range days {
		b := trendBar{X: i*barStep + (barStep-barWidth)/2, W: barWidth,
			Title: fmt.Sprintf("%s: %d compliant, %d non-compliant, %d inconclusive", d.Date.Format(time.DateOnly), d.Compliant, d.NonCompliant, d.Inconclusive)}
		y := chartHeight
		for _, s := range []struct {
			n     int
			class string
		}{{d.Compliant, "c"}, {d.NonCompliant, "n"}, {d.Inconclusive, "i"}} {
			if s.n == 0 || ch.Max == 0 {
				continue
			}
			h := max(s.n*chartHeight/ch.Max, 1)
			y -= h
			b.Segs = append(b.Segs, trendSeg{Y: y, H: h, Class: s.class})
		}
		ch.Bars = append(ch.Bars, b)
	}
	return ch
}
