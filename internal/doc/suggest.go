package doc

import (
	"slices"
	"strings"
)

// Closest returns up to n candidates nearest to s by edit distance (case-insensitive),
// nearest first (ties in name order), leaving out any too far away to be a plausible
// typo; it returns nil when none is near.
func Closest(s string, candidates []string, n int) []string {
	type scored struct {
		name string
		d    int
	}
	ls := strings.ToLower(s)
	limit := max(2, len([]rune(s))/3)
	var hits []scored
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := distance(ls, lc, limit)
		if d <= limit || strings.Contains(lc, ls) || strings.Contains(ls, lc) && len(lc) > 3 {
			hits = append(hits, scored{c, d})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int {
		if a.d != b.d {
			return a.d - b.d
		}
		return strings.Compare(a.name, b.name)
	})
	var out []string
	for _, h := range hits {
		if len(out) == n {
			break
		}
		out = append(out, h.name)
	}
	return out
}

// distance is the Levenshtein distance between a and b, or a value above limit as soon as
// it is known to exceed it (so long names cost little).
func distance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// DidYouMean returns " (did you mean X?)" with the candidate Closest finds nearest to s,
// or "" when none is near; it is written to follow a reason.
func DidYouMean(s string, candidates []string) string {
	c := Closest(s, candidates, 1)
	if len(c) == 0 {
		return ""
	}
	return " (did you mean " + c[0] + "?)"
}
