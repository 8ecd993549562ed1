package library

import (
	"context"
	"regexp"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
)

// SourceOutcome is a catalog source's last outcome as the caller's notifications tell it.
type SourceOutcome struct {
	Source  string
	Outcome probity.Notification
	// Reasons are the outcome's path:line:col lines, in order.
	Reasons []string
}

// reasonLine is a diagnostic of a catalog file: path:line:col: message.
var reasonLine = regexp.MustCompile(`^\S+:\d+:\d+: `)

// SourceOutcomes returns the last outcome of each catalog source among the caller's
// newest notifications (the window ControlOrigin reads), by source name, with their
// path:line:col reasons. A source that has notified nothing lately is absent.
func (s *Service) SourceOutcomes(ctx context.Context, p auth.Principal) (map[string]SourceOutcome, error) {
	ns, err := s.Notifications(ctx, p, "", outcomeWindow)
	if err != nil {
		return nil, err
	}
	out := map[string]SourceOutcome{}
	for _, n := range ns {
		if n.Source == "" || n.AssessmentID != "" {
			continue
		}
		if _, seen := out[n.Source]; seen {
			continue // notifications come newest first
		}
		o := SourceOutcome{Source: n.Source, Outcome: n}
		for _, line := range strings.Split(n.Description, "\n") {
			if line = strings.TrimSpace(line); reasonLine.MatchString(line) {
				o.Reasons = append(o.Reasons, line)
			}
		}
		out[n.Source] = o
	}
	return out, nil
}
