package standard

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/oscal"
)

var insertParam = regexp.MustCompile(`\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}`)

// params maps a catalog's parameter ids to the text that stands in for them in prose:
// "[Assignment: LABEL]" or "[Selection (one or more): A; B]".
type params map[string]string

func catalogParams(c *oscal.Catalog) params {
	ps := params{}
	add := func(list []oscal.Param) {
		for _, p := range list {
			switch {
			case p.Select != nil:
				choices := make([]string, len(p.Select.Choice))
				for i, ch := range p.Select.Choice {
					choices[i] = string(ch)
				}
				how := "Selection"
				if p.Select.HowMany == "one-or-more" {
					how = "Selection (one or more)"
				}
				ps[p.ID] = "[" + how + ": " + strings.Join(choices, "; ") + "]"
			case p.Label != "":
				ps[p.ID] = "[Assignment: " + string(p.Label) + "]"
			default:
				ps[p.ID] = "[Assignment: " + p.ID + "]"
			}
		}
	}
	add(c.Params)
	for _, e := range c.Entries() {
		add(e.Control.Params)
	}
	var groups func([]oscal.Group)
	groups = func(gs []oscal.Group) {
		for _, g := range gs {
			add(g.Params)
			groups(g.Groups)
		}
	}
	groups(c.Groups)
	// A choice may itself insert a parameter; one more pass resolves those.
	for id, s := range ps {
		ps[id] = ps.fill(s)
	}
	return ps
}

// fill replaces parameter insertions in s with their text.
func (ps params) fill(s string) string {
	return insertParam.ReplaceAllStringFunc(s, func(m string) string {
		id := insertParam.FindStringSubmatch(m)[1]
		if t, ok := ps[id]; ok {
			return t
		}
		return "[Assignment: " + id + "]"
	})
}

// partText renders a part and its items as lines: each item's label, then its prose.
func (ps params) partText(p *oscal.Part) string {
	var lines []string
	var walk func(p *oscal.Part, depth int)
	walk = func(p *oscal.Part, depth int) {
		label := ""
		for _, pr := range p.Props {
			if pr.Name == "label" {
				label = pr.Value + " "
			}
		}
		if prose := strings.TrimSpace(ps.fill(p.Prose)); prose != "" || label != "" {
			lines = append(lines, strings.Repeat("  ", depth)+label+prose)
		}
		for i := range p.Parts {
			d := depth
			if label != "" || p.Prose != "" {
				d++
			}
			walk(&p.Parts[i], d)
		}
	}
	walk(p, 0)
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// freeText makes s fit a free-text member of at most max characters: carriage returns
// and other characters the domain refuses are dropped, and text past max is cut with an
// ellipsis.
func freeText(s string, max int) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !probity.AllowedRune(r, probity.FreeText) {
			return -1
		}
		return r
	}, s)
	return cut(strings.TrimSpace(s), max)
}

// singleLine makes s fit a single-line member of at most max characters (white space
// collapsed, backslashes and underscores replaced where the member refuses them).
func singleLine(s string, max int, replace ...string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !probity.AllowedRune(r, probity.SingleLine) {
			return -1
		}
		return r
	}, s)
	if len(replace) > 0 {
		s = strings.NewReplacer(replace...).Replace(s)
	}
	return cut(s, max)
}

func cut(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max-1])) + "…"
}
