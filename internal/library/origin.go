package library

import (
	"context"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/catalog"
	"github.com/probity-dev/probity/internal/doc"
)

// ControlOrigin is where a control managed by a catalog source was declared, and how
// that source's last reconcile went.
type ControlOrigin struct {
	// Source is the catalog source that manages the control.
	Source string
	// Path and Pos place the control's name in the last good version of its file; Path
	// is empty when the kept files no longer declare it.
	Path string
	Pos  doc.Pos
	// Outcome is the source's latest outcome among the caller's newest notifications;
	// nil when there is none.
	Outcome *probity.Notification
	// Problems are the outcome's path:line:col reasons about the control's file.
	Problems []string
}

// outcomeWindow is how many of the newest notifications ControlOrigin looks through for
// the source's last outcome.
const outcomeWindow = 100

// ControlOrigin returns the origin of the caller's control with the id: nil when no
// catalog source manages it, ENOTFOUND when the caller does not see it.
func (s *Service) ControlOrigin(ctx context.Context, p auth.Principal, id string) (*ControlOrigin, error) {
	c, err := s.Control(ctx, p, id)
	if err != nil || c.ManagedBy == "" {
		return nil, err
	}
	o := &ControlOrigin{Source: c.ManagedBy}
	kept, err := s.Store.CatalogFiles(ctx, c.ManagedBy)
	if err != nil {
		return nil, err
	}
	files := make([]doc.File, len(kept))
	for i, f := range kept {
		files[i] = doc.File{Path: f.Path, Data: f.Data}
	}
	// Each last good file is valid on its own; problems between files (a name declared
	// twice) leave the other documents in place.
	cat, _ := catalog.Load(files)
	for _, d := range cat.Controls {
		if d.Control.Name == c.Name {
			o.Path, o.Pos = d.Path, d.NamePos()
			break
		}
	}
	ns, err := s.Notifications(ctx, p, "", outcomeWindow)
	if err != nil {
		return nil, err
	}
	for i := range ns {
		if ns[i].Source == c.ManagedBy && ns[i].AssessmentID == "" {
			o.Outcome = &ns[i]
			break
		}
	}
	if o.Outcome != nil && o.Path != "" {
		for _, line := range strings.Split(o.Outcome.Description, "\n") {
			if line = strings.TrimSpace(line); strings.HasPrefix(line, o.Path+":") {
				o.Problems = append(o.Problems, line)
			}
		}
	}
	return o, nil
}
