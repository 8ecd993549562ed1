package console

import (
	"net/http"
	"slices"

	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/pipeline"
)

// sourceRow is one catalog source on the sources page: its status where this server runs
// it, and its last outcome where the caller's notifications tell it.
type sourceRow struct {
	Name    string
	Status  *pipeline.SourceStatus
	Outcome *library.SourceOutcome
}

// sourcesData is the sources page's data.
type sourcesData struct {
	Sources []sourceRow
	Runs    bool // this server runs catalog sources
}

// sources shows each catalog source: up or down and why, when it was last reconciled,
// how many files fail, and its last outcome with the path:line:col reasons.
func (c *Console) sources(w http.ResponseWriter, r *http.Request) error {
	outcomes, err := c.cfg.Library.SourceOutcomes(r.Context(), principal(r))
	if err != nil {
		return err
	}
	d := sourcesData{Runs: c.cfg.Sources != nil}
	seen := map[string]bool{}
	if c.cfg.Sources != nil {
		for _, s := range c.cfg.Sources() {
			row := sourceRow{Name: s.Source, Status: &s}
			if o, ok := outcomes[s.Source]; ok {
				row.Outcome = &o
			}
			seen[s.Source] = true
			d.Sources = append(d.Sources, row)
		}
	}
	var rest []string
	for name := range outcomes {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		o := outcomes[name]
		d.Sources = append(d.Sources, sourceRow{Name: name, Outcome: &o})
	}
	return c.render(w, r, "sources", d)
}
